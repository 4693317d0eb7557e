#!/usr/bin/env bash
# Records examples/traces/local-load.csv: the task times of 8 local worker processes (wait-all,
# one block of 2000×100 each, no injected delay) while HOGS busy-loop processes (default 2)
# compete for the machine's cores. Usage: bash bench/traces/record-local-load.sh [out.csv]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-examples/traces/local-load.csv}
HOGS=${HOGS:-2}
npm run build --silent
tmp=$(mktemp -d)
hogs=()
cleanup() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
for _ in $(seq 1 "$HOGS"); do
  node -e 'for (;;) {}' &
  hogs+=($!)
done
node bin/coda.js run bench/traces/local-load.yaml --out "$tmp/run" >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }
node dist/bench/traces/trace-from-result.js "$tmp/run/result.json" "$OUT" --skip 3 \
  --note "Coda delay trace: a local cluster under CPU load. Made by bench/traces/record-local-load.sh on $(date -u +%Y-%m-%d)" \
  --note "8 worker processes and the master on one $(nproc)-core machine, $HOGS busy-loop processes competing, wait-all K = N = 8 (bench/traces/local-load.yaml)" \
  --note "cell = seconds from the round's start to the worker's answer at the master (compute + scheduling + loopback gRPC)"
