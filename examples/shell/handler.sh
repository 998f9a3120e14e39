#!/bin/bash
# An exec-protocol function: the event on stdin, the result on stdout, logs on stderr, a non-zero exit is an error.
# LAMBDA_REQUEST_ID, LAMBDA_DEADLINE_MS and LAMBDA_CONTEXT (JSON) describe the invocation. Uses jq when the image
# has it, plain bash otherwise.
set -euo pipefail
event=$(cat)
echo "request $LAMBDA_REQUEST_ID: $event" >&2
if command -v jq >/dev/null; then
  name=$(jq -r '.name // "world"' <<<"$event")
else
  name=$(sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p' <<<"$event" 2>/dev/null || true)
  name=${name:-world}
fi
case "$name" in
  crash) echo "refusing to greet $name" >&2; exit 2 ;;
  sleepy) sleep 30 ;;
esac
printf '{"greeting":"hello %s","requestId":"%s"}\n' "$name" "$LAMBDA_REQUEST_ID"
