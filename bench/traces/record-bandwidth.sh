#!/usr/bin/env bash
# Records examples/traces/container-bandwidth.csv: a master container and 4 worker containers on
# their own Docker bridge network; each worker's egress (its answers to the master) limited by
# `tc tbf` (RATE, default 4mbit, burst 32kbit, latency 400ms) and shared with on/off bulk
# transfers (256 KB every 0-4 s) to a sink container, as a noisy neighbour on the NIC would. No
# injected delay: wait-all, K = N = 4, every answer 8 KB (bench/traces/container-bandwidth.yaml).
# Needs root (nsenter into each container's network namespace), a running Docker engine and the
# local base image (deploy/docker/build-base-image.sh). Traffic stays on the project's bridge.
#
#   sudo bash bench/traces/record-bandwidth.sh [out.csv]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-examples/traces/container-bandwidth.csv}
RATE=${RATE:-4mbit}
BASE=${CODA_BASE_IMAGE:-coda-base:local}
IMAGE=${CODA_TRACE_IMAGE:-coda:trace-bandwidth}
TAG="coda.trace=bandwidth-$$"
NET="coda-trace-$$"
npm run build --silent
docker image inspect "$BASE" >/dev/null 2>&1 || bash deploy/docker/build-base-image.sh "$BASE"
docker build -q -f deploy/docker/Dockerfile --build-arg BASE_IMAGE="$BASE" --build-arg PREBUILT=1 -t "$IMAGE" . >/dev/null
tmp=$(mktemp -d)
mkdir -p "$tmp/out"
chmod 777 "$tmp/out" # the image runs as uid 1000
cp bench/traces/container-bandwidth.yaml "$tmp/job.yaml"
chmod 644 "$tmp/job.yaml"
cleanup() {
  local ids
  ids=$(docker ps -aq --filter "label=$TAG")
  if [ -n "$ids" ]; then docker rm -f $ids >/dev/null; fi
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
docker network create --label "$TAG" "$NET" >/dev/null
docker run -d --label "$TAG" --network "$NET" --network-alias sink --entrypoint /bin/sh "$IMAGE" \
  -c 'for p in 9000 9001 9002 9003; do (while :; do nc -l -p $p >/dev/null; done) & done; wait' >/dev/null
# Workers first, shaped before the master exists (they retry registering), so every round is measured through the limit.
for i in 0 1 2 3; do
  cid=$(docker run -d --label "$TAG" --network "$NET" "$IMAGE" worker --master=master:7070 --host=0.0.0.0 --port=7070 --metrics-port=9464 --index=$i)
  pid=$(docker inspect -f '{{.State.Pid}}' "$cid")
  nsenter -t "$pid" -n tc qdisc add dev eth0 root tbf rate "$RATE" burst 32kbit latency 400ms
  docker exec -d "$cid" /bin/sh -c "while :; do sleep \$((RANDOM % 5)); dd if=/dev/zero bs=64k count=4 2>/dev/null | nc sink 900$i; done"
done
docker run -d --label "$TAG" --network "$NET" --network-alias master -v "$tmp/job.yaml:/tmp/job.yaml:ro" -v "$tmp/out:/out" "$IMAGE" \
  master --host=0.0.0.0 --insecure --port=7070 --metrics-port=9464 --job=/tmp/job.yaml --min-workers=4 --out=/out >/dev/null
for _ in $(seq 1 900); do
  [ -f "$tmp/out/result.json" ] && break
  sleep 1
done
[ -f "$tmp/out/result.json" ] || { docker logs "$(docker ps -q --filter "label=$TAG" --filter ancestor="$IMAGE" | head -1)" | tail -20; echo "no result.json" >&2; exit 1; }
sleep 1 # result.json is written last, atomically
node dist/bench/traces/trace-from-result.js "$tmp/out/result.json" "$OUT" --skip 3 \
  --note "Coda delay trace: worker containers under bandwidth limits. Made by bench/traces/record-bandwidth.sh on $(date -u +%Y-%m-%d)" \
  --note "master + 4 worker containers on a Docker bridge; each worker's egress: tc tbf rate $RATE burst 32kbit latency 400ms, shared with 256 KB bulk transfers every 0-4 s to a sink container" \
  --note "wait-all K = N = 4, 2000×1000 least squares (8 KB answers), no injected delay (bench/traces/container-bandwidth.yaml)" \
  --note "cell = seconds from the round's start to the worker's answer at the master"
