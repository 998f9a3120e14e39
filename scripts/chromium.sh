#!/usr/bin/env bash
# Installs Debian's chromium for the --http browser test (test/e2e/http-front.test.ts drives it with puppeteer-core).
# Idempotent: prints the browser's path when it is already there.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { echo "chromium.sh: no chromium and no apt-get to install it" >&2; exit 1; }
  echo "chromium.sh: installing chromium" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v chromium
