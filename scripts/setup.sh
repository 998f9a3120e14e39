#!/usr/bin/env bash
# Makes this machine ready for the full test suite: a Docker engine (installed and started when
# missing, as root), the FROM-scratch test base image, and the other Node versions the runtime runs on.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(bash scripts/docker-up.sh)
[ -n "$started" ] && echo "setup: started dockerd (pid file $started; log /tmp/tslambda-ci/dockerd.log)"
echo "setup: base image $(bash scripts/base-image.sh)"
bash scripts/fetch-nodes.sh
echo "setup: ready; now run: npm ci && npm test"
