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
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io docker-registry apache2-utils curl >/dev/null
fi
# Debian's packages may have started their own services; the registry service is not ours to use.
pkill -x docker-registry 2>/dev/null || true
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
