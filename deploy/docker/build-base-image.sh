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
  - "$IMAGE" >/dev/null
echo "built $IMAGE (node $("$NODE_BIN" --version), $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
