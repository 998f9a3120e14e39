#!/bin/sh
# Installs the references of the conformance suite: AWS's official Node runtime client (npm aws-lambda-ric)
# 3.x into .tmp/ric3/<node major> (the nodejs18.x-22.x contract) and 4.x into .tmp/ric4/24 (nodejs24.x).
# The client compiles a native addon against the Node that runs it, so each Node major gets its own build,
# made by that Node (.tmp/nodes/<major>/bin/node, from scripts/fetch-nodes.sh; 20 is the machine's node).
# Idempotent: a build that already loads is kept.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/tslambda/aws-lambda-ric"
NPM_CLI=$(readlink -f "$(command -v npm)" | sed 's#/bin/npm-cli.js$##')/bin/npm-cli.js

node_for() {
  if [ -x "$ROOT/.tmp/nodes/$1/bin/node" ]; then echo "$ROOT/.tmp/nodes/$1/bin/node"; return; fi
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$1" ]; then command -v node; return; fi
  echo "fetch-ric: no Node $1 (run scripts/fetch-nodes.sh first)" >&2
  return 1
}

addon() { # <dir>: where the install left the native addon (3.x: dist/, 4.x: the package root)
  for f in "$1/node_modules/aws-lambda-ric/dist/rapid-client.node" "$1/node_modules/aws-lambda-ric/rapid-client.node"; do
    [ -f "$f" ] && { echo "$f"; return; }
  done
  echo "$1/node_modules/aws-lambda-ric/rapid-client.node"
}

loads() { # <node> <dir>: the client's native addon loads under that node
  # The addon reads AWS_LAMBDA_RUNTIME_API when it loads and aborts without it.
  AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$1" -e "require(process.argv[1])" "$(addon "$2")" >/dev/null 2>&1
}

ensure_build_tools() {
  missing=""
  for tool in autoconf automake libtoolize make cmake g++; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  [ -z "$missing" ] && return
  echo "fetch-ric: installing build tools:$missing"
  command -v apt-get >/dev/null 2>&1 || { echo "fetch-ric: install$missing (needed to compile aws-lambda-ric)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq autoconf automake libtool make cmake g++ >/dev/null
}

install_ric() { # <range> <dir> <node major>
  node_bin=$(node_for "$3")
  dir="$ROOT/.tmp/$2/$3"
  if [ -d "$dir/node_modules/aws-lambda-ric" ]; then
    if loads "$node_bin" "$dir"; then
      echo "fetch-ric: aws-lambda-ric $(cd "$dir" && "$node_bin" -p "require('./node_modules/aws-lambda-ric/package.json').version") on Node $3 already installed"
      return
    fi
    # A build takes half an hour: never thrown away silently.
    echo "fetch-ric: $dir holds an aws-lambda-ric whose addon does not load on Node $3 (remove the folder to rebuild):" >&2
    AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$node_bin" -e "require(process.argv[1])" "$(addon "$dir")" 2>&1 | grep -m1 Error >&2
    exit 1
  fi
  # A build made earlier on this machine (another clone, an earlier CI run) is reused when it loads here; a new
  # machine has none and builds below. The cache holds only what this script built and checked.
  cached="$CACHE/$2/$3"
  if [ -d "$cached/node_modules/aws-lambda-ric" ] && loads "$node_bin" "$cached"; then
    echo "fetch-ric: aws-lambda-ric for Node $3: reusing the build in $cached"
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && cp -a "$cached" "$dir"
    return
  fi
  ensure_build_tools
  nodedir=$(dirname "$(dirname "$node_bin")")
  # The addon is N-API only (node-addon-api), so one build loads on every Node major of its line: reuse a
  # sibling's install when it loads here, instead of compiling curl and aws-lambda-cpp again.
  for sibling in "$ROOT/.tmp/$2"/*/; do
    sibling=${sibling%/}
    [ "$sibling" = "$dir" ] && continue
    loads "$node_bin" "$sibling" || continue
    echo "fetch-ric: aws-lambda-ric@$1 for Node $3: reusing the N-API build in $(basename "$sibling")"
    rm -rf "$dir" && cp -a "$sibling" "$dir"
    return
  done
  rm -rf "$dir" && mkdir -p "$dir" && echo '{"private":true}' >"$dir/package.json"
  echo "fetch-ric: building aws-lambda-ric@$1 with Node $3 (a few minutes: it compiles curl and aws-lambda-cpp)"
  # node-gyp builds against the headers of --nodedir; PATH puts the same node first for the install scripts.
  (cd "$dir" && PATH="$(dirname "$node_bin"):$PATH" npm_config_nodedir="$nodedir" MAKEFLAGS="${MAKEFLAGS:--j2}" \
    "$node_bin" "$NPM_CLI" install --no-audit --no-fund --loglevel=error "aws-lambda-ric@$1" >"$dir/install.log" 2>&1) ||
    { tail -30 "$dir/install.log" >&2; echo "fetch-ric: aws-lambda-ric@$1 failed to build on Node $3 (log: $dir/install.log)" >&2; exit 1; }
  loads "$node_bin" "$dir" || {
    echo "fetch-ric: aws-lambda-ric@$1 built but its addon does not load on Node $3:" >&2
    AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$node_bin" -e "require(process.argv[1])" "$(addon "$dir")" 2>&1 | head -5 >&2
    exit 1
  }
  rm -rf "$cached" && mkdir -p "$(dirname "$cached")" && cp -a "$dir" "$cached"
}

# RIC_LINES=4 (or 3) installs one line only.
case "${RIC_LINES:-3 4}" in *3*) for major in 18 20 22; do install_ric '^3.3.0' ric3 "$major"; done ;; esac
case "${RIC_LINES:-3 4}" in *4*) install_ric '^4.0.2' ric4 24 ;; esac
