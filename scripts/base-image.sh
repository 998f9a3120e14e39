#!/usr/bin/env bash
# Builds the test base image `tslambda-test-base:node<major>` FROM scratch out of a node binary and the
# shared libraries ldd lists for it, since no image can be pulled on these machines.
# Usage: scripts/base-image.sh [path/to/node]   (default: the node on PATH)
set -euo pipefail
node_bin=$(readlink -f "${1:-$(command -v node)}")
major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
tag="tslambda-test-base:node$major"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/rootfs/usr/local/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
cp "$node_bin" "$work/rootfs/usr/local/bin/node"
# Every library the binary links against, at the same path, plus the dynamic loader.
ldd "$node_bin" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  mkdir -p "$work/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/rootfs$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$work/rootfs/etc/group"
cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_VERSION_SOURCE=host
DOCKERFILE
chmod 1777 "$work/rootfs/tmp"
tar -C "$work" -c . | curl -sf --unix-socket /var/run/docker.sock \
  -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
  "http://localhost/v1.41/build?t=$tag&rm=1&forcerm=1" >"$work/build.log" || {
  cat "$work/build.log" >&2; exit 1; }
if grep -q '"error"' "$work/build.log"; then cat "$work/build.log" >&2; exit 1; fi
echo "$tag"
