#!/usr/bin/env bash
# The exact commands behind the benchmark figures of docs/results.md (docs/benchmarks.md describes each),
# then the headline table built from their records. Run it on a quiet machine (load average
# below about 1): every record carries the load it ran under, and the headline table quotes it.
#
#   bash bench/run-all.sh [out-dir]        (default out/bench; about 1 hour on 2 cores)
#
# Each bench writes <out-dir>/<name>.json ({ header, result }) and prints its tables; this script
# also keeps the printed output in <out-dir>/<name>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bench}
mkdir -p "$OUT"
npm run build --silent

load=$(cut -d' ' -f1 /proc/loadavg)
echo "load average at the start: $load (figures for docs/results.md want a quiet machine: below about 1)"

run() {
  local name=$1
  shift
  echo "== $name: $*"
  "$@" 2>&1 | tee "$OUT/$name.log"
}
bench() {
  local name=$1
  shift
  run "$name" node dist/bench/index.js "$@" --out "$OUT/$name.json"
}

# The headline benches.
bench dask dask
bench scale scale
bench round-overhead round-overhead
bench kernels kernels
bench lapack lapack
bench product-code product-code
bench placement placement
bench upload upload

# Dask's driver variants, fixed step, one process per core: the headline quotes Dask's fastest
# (a reviewer from Dask may ask for any of them).
bench dask-async dask --no-line-search --layouts core --dask-task async
bench dask-direct dask --no-line-search --layouts core --dask-direct
bench dask-gather dask --no-line-search --layouts core --dask-first-q gather

# Whole jobs.
bench logistic logistic
bench logistic-d300 logistic --d 300
bench inverse inverse
bench eigenpro eigenpro
bench slice-reads slice-reads
bench sleeps sleeps
bench soak soak

# The two kernel backends on whole jobs (docs/results.md, "The two kernel backends on whole jobs").
bench logistic-kernels logistic --d 300 --kernels js,native
bench inverse-kernels inverse --kernels js,native --stragglers 0,1
KERNELS=js,native PS=0 COUNTS=8 bench eigenpro-kernels eigenpro

node dist/bench/headline.js "$OUT" | tee "$OUT/headline.md"
