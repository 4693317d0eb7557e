#!/usr/bin/env bash
# Builds a minimal Node base image without any container registry: a root filesystem with the
# host's node binary, the shared libraries it links, and busybox (sh, wget, ...), imported with
# `docker import`. Use it where node:20-bookworm-slim cannot be pulled:
#
#   deploy/docker/build-base-image.sh                      # -> coda-base:local
#   docker build --build-arg BASE_IMAGE=coda-base:local --build-arg PREBUILT=1 \
#     -f deploy/docker/Dockerfile -t coda:local .
#
# Needs: docker (an engine), /usr/bin/node (Node 20), busybox-static (apt-get install -y busybox-static).
# With libopenblas-dev on the host the image also carries OpenBLAS and the libraries it links
# (libgfortran, libquadmath, libgcc_s), which Coda's native kernels need; without it the image's
# Coda runs the plain JS kernels.
set -euo pipefail
# shellcheck source=rootfs-lib.sh
. "$(dirname "$0")/rootfs-lib.sh"

IMAGE="${1:-coda-base:local}"
NODE_BIN="${NODE_BIN:-$(command -v node)}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

[ -x "$NODE_BIN" ] || { echo "build-base-image: no node binary at '$NODE_BIN'" >&2; exit 1; }
require_static_busybox build-base-image "$BUSYBOX"

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT

mkdir -p "$ROOT"/{bin,usr/bin,usr/local/bin,etc,tmp,home/node,app,lib64,proc,sys,dev,run,var/tmp}
chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"

# node and every shared library it links, at the same paths (the loader included).
copy_with_libs "$ROOT" "$NODE_BIN" /usr/local/bin/node
ln -s ../local/bin/node "$ROOT/usr/bin/node"
install_busybox "$ROOT" "$BUSYBOX"

# OpenBLAS for the native kernels (build/Release/coda_blas.node links libopenblas.so.0), at the
# path the host's loader has it, so the addon built on the host finds it the same way.
OPENBLAS_LIB="${OPENBLAS_LIB:-$(find_library libopenblas.so.0)}"
if [ -n "$OPENBLAS_LIB" ]; then
  mkdir -p "$ROOT$(dirname "$OPENBLAS_LIB")"
  copy_library "$ROOT" "$OPENBLAS_LIB"
  OPENBLAS_NOTE="OpenBLAS from $OPENBLAS_LIB"
else
  OPENBLAS_NOTE="no OpenBLAS on the host (apt-get install -y libopenblas-dev): plain JS kernels only"
fi

# The same non-root user the official node image has (uid/gid 1000, "node").
cat > "$ROOT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$ROOT/etc/group" <<'GROUP'
root:x:0:
node:x:1000:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' > "$ROOT/etc/nsswitch.conf"
chown -R 1000:1000 "$ROOT/home/node"

tar -C "$ROOT" --numeric-owner -cf - . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_VERSION='"$("$NODE_BIN" -p 'process.versions.node')" \
  --change 'CMD ["node"]' \
  --change "LABEL org.coda.base.openblas=$([ -n "$OPENBLAS_LIB" ] && echo yes || echo no)" \
  - "$IMAGE" >/dev/null
echo "built $IMAGE (node $("$NODE_BIN" --version), $OPENBLAS_NOTE, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
