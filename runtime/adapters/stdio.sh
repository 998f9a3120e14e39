#!/bin/bash
# tslambda stdio adapter for bash. In lambda.config.json:
#   "program": {"command": ["bash", "/opt/tslambda/runtime/adapters/stdio.sh", "handler.sh"]}
# sources handler.sh once; for each event calls `handler EVENT_JSON CONTEXT_JSON`, whose stdout is the result (JSON)
# and whose non-zero exit is an error (its stderr is logged). No jq needed: the context is flat and comes first, so
# the line splits at its first `},"event":`.
source "$1"
json_string() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}; printf '"%s"' "$s"; }
while IFS= read -r line; do
  context=${line%%\},\"event\":*}
  context="${context#\{\"context\":}}"
  event=${line#*\},\"event\":}
  event=${event%\}}
  if result=$(handler "$event" "$context"); then
    printf '@tslambda {"result":%s}\n' "${result:-null}"
  else
    status=$?
    printf '@tslambda {"error":{"type":"HandlerError","message":%s}}\n' "$(json_string "handler exited with status $status")"
  fi
done
