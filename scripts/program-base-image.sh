#!/usr/bin/env bash
# Builds the bases of the program-handler e2e tests FROM scratch, since no image can be pulled on these machines:
#   tslambda-test-program-base:no-node  the host's python3 (with its standard library), bash and the few tools the
#                                       adapters and tests use, with the shared libraries ldd lists for each
#   tslambda-test-program-base:node     the same plus node at /usr/local/bin/node and its NODE_VERSION (as the official
#                                       Node images declare it): the source of the Node stage
# Usage: scripts/program-base-image.sh [path/to/node]   (default: the node on PATH)
set -euo pipefail
node_bin=$(readlink -f "${1:-$(command -v node)}")
python_bin=$(readlink -f /usr/bin/python3)
python_lib=$("$python_bin" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
tools="bash cat head sleep env cp mkdir grep ldd jq"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

copy_with_libs() { # binary → same path in rootfs, with every library it links against
  local bin=$1
  mkdir -p "$work/rootfs$(dirname "$bin")"
  cp -L "$bin" "$work/rootfs$bin"
  { ldd "$bin" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | sort -u | while read -r lib; do
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
  done
}

mkdir -p "$work/rootfs/tmp" "$work/rootfs/etc" "$work/rootfs/bin"
copy_with_libs "$python_bin"
ln -s "$(basename "$python_bin")" "$work/rootfs$(dirname "$python_bin")/python3" 2>/dev/null || true
mkdir -p "$work/rootfs$python_lib"
tar -C "$python_lib" --exclude=test --exclude=__pycache__ --exclude=idlelib --exclude=tkinter --exclude=ensurepip -c . | tar -C "$work/rootfs$python_lib" -x
for module in "$python_lib"/lib-dynload/*.so; do copy_with_libs "$module"; done
for tool in $tools; do
  path=$(command -v "$tool" || true)
  if [ -z "$path" ]; then continue; fi
  real=$(readlink -f "$path")
  copy_with_libs "$real"
  if [ "$real" != "/bin/$tool" ]; then ln -sf "$real" "$work/rootfs/bin/$tool"; fi
done
ln -sf bash "$work/rootfs/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$work/rootfs/etc/group"
chmod 1777 "$work/rootfs/tmp"

build() { # tag: posts the folder as a build context to the engine's API
  tar -C "$work" -c . | curl -sf --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @- "http://localhost/v1.41/build?t=$1&rm=1&forcerm=1" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
  if grep -q '"error"' "$work/build.log"; then cat "$work/build.log" >&2; exit 1; fi
  echo "$1"
}
printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' >"$work/Dockerfile"
build tslambda-test-program-base:no-node
copy_with_libs "$node_bin"
mkdir -p "$work/rootfs/usr/local/bin" && mv "$work/rootfs$node_bin" "$work/rootfs/usr/local/bin/node" 2>/dev/null || true
printf 'ENV NODE_VERSION=%s\n' "$("$node_bin" --version | sed 's/^v//')" >>"$work/Dockerfile"
build tslambda-test-program-base:node
