#!/usr/bin/env bash
# Builds a Prometheus image without any container registry, from Debian's prometheus package:
# the host's /usr/bin/prometheus, the shared libraries it links, and busybox, imported with
# `docker import`. The compose file uses it where prom/prometheus cannot be pulled:
#
#   deploy/docker/build-prometheus-image.sh               # -> coda-prometheus:local
#   PROMETHEUS_IMAGE=coda-prometheus:local docker-compose up
#
# Needs: docker (an engine), apt-get install -y prometheus busybox-static.
set -euo pipefail
# shellcheck source=rootfs-lib.sh
. "$(dirname "$0")/rootfs-lib.sh"

IMAGE="${1:-coda-prometheus:local}"
PROM_BIN="${PROM_BIN:-/usr/bin/prometheus}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

[ -x "$PROM_BIN" ] || { echo "build-prometheus-image: no $PROM_BIN; run: apt-get install -y prometheus" >&2; exit 1; }
require_static_busybox build-prometheus-image "$BUSYBOX"

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,usr/bin,etc/prometheus,prometheus,tmp,proc,sys,dev}
chmod 1777 "$ROOT/tmp"
copy_with_libs "$ROOT" "$PROM_BIN" /usr/bin/prometheus
install_busybox "$ROOT" "$BUSYBOX"
# The prom/prometheus image runs as nobody and keeps its data in /prometheus.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ROOT/etc/group"
echo 'hosts: files dns' > "$ROOT/etc/nsswitch.conf"
chown 65534:65534 "$ROOT/prometheus"

tar -C "$ROOT" --numeric-owner -cf - . | docker import \
  --change 'USER 65534' \
  --change 'WORKDIR /prometheus' \
  --change 'EXPOSE 9090' \
  --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
  --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
  - "$IMAGE" >/dev/null
echo "built $IMAGE ($("$PROM_BIN" --version 2>&1 | sed -n 1p))"
