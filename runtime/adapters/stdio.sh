#!/bin/bash
# tslambda stdio adapter for bash. In lambda.config.json:
#   "program": {"command": ["bash", "/opt/tslambda/runtime/adapters/stdio.sh", "handler.sh"]}
# sources handler.sh once; for each event calls `handler EVENT_JSON CONTEXT_JSON`, whose stdout is the result (JSON)
# and whose non-zero exit is an error (its stderr is logged). No jq needed: the context is flat and comes first, so
# the line splits at its first `},"event":`. Lines are read with `head -n 1`: bash's own `read` takes a pipe one byte
# per system call (13 s for a 6 MB event), and only one line is ever waiting.
source "$1"
echo '@tslambda {"ready":true}'
json_string() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}; printf '"%s"' "$s"; }
while line=$(head -n 1) && [ -n "$line" ]; do
  context=${line:0:65536}
  context=${context%%\},\"event\":*}
  cut=${#context}
  context="${context#\{\"context\":}}"
  event=${line:cut+10:${#line}-cut-11}
  if result=$(handler "$event" "$context"); then
    printf '@tslambda {"result":%s}\n' "${result:-null}"
  else
    status=$?
    printf '@tslambda {"error":{"type":"HandlerError","message":%s}}\n' "$(json_string "handler exited with status $status")"
  fi
done
