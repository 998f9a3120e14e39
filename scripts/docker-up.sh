#!/usr/bin/env bash
# Makes a Docker engine answer on /var/run/docker.sock: installs Debian's docker.io when dockerd is
# missing, starts dockerd when no engine answers, and waits until it does. Prints the pid file of a
# dockerd it started (empty when one was already running) so the caller can stop only what it started.
set -euo pipefail
sock=/var/run/docker.sock
answers() { curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }

if answers; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker-registry >/dev/null 2>&1 || ! command -v htpasswd >/dev/null 2>&1; then
  echo "docker-up: installing docker.io, docker-registry and apache2-utils" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Debian's packages start their services on install (a registry on :5000, a dockerd): none of them is wanted, and
  # stopping them afterwards would mean killing by name. A policy-rc.d that answers 101 ("action forbidden") keeps
  # invoke-rc.d from starting anything during this install; an existing policy is left as it was.
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io docker-registry apache2-utils curl >/dev/null
  if [ -n "$made_policy" ]; then
    rm -f "$policy"
    trap - EXIT
  fi
fi
# A registry service already running (installed earlier, outside this script) is left alone: the tests start
# their own docker-registry on free ports (test/support/registry.ts) and never use :5000.
if answers; then exit 0; fi

mkdir -p /tmp/tslambda-ci
log=/tmp/tslambda-ci/dockerd.log
# No bridge and no iptables: this sandbox has neither; containers use host networking.
nohup dockerd --iptables=false --ip6tables=false --bridge=none --host "unix://$sock" \
  --pidfile /tmp/tslambda-ci/dockerd.pid >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if answers; then echo /tmp/tslambda-ci/dockerd.pid; exit 0; fi
  sleep 0.5
done
echo "docker-up: dockerd did not answer within 30 s; its log:" >&2
tail -n 30 "$log" >&2
exit 1
