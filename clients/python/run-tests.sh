#!/usr/bin/env bash
# The Python client's tests (npm run test:python; npm test runs it after vitest): the generated
# messages against proto/, mypy --strict on the package, its tests and the quickstart example, and
# pytest against a real local cluster from this checkout's dist/ (npm run build first).
# Debian's Python only (/usr/bin/python3, or $CODA_PYTHON): without its packages the suite is
# skipped loudly; CODA_REQUIRE_PYTHON=1 (CI) makes that a failure.
set -uo pipefail
cd "$(dirname "$0")"
PY="${CODA_PYTHON:-/usr/bin/python3}"
APT="apt-get install -y python3-grpcio python3-protobuf protobuf-compiler python3-numpy python3-pytest python3-mypy python3-matplotlib"

skip() {
  if [ "${CODA_REQUIRE_PYTHON:-}" = "1" ]; then
    echo "python client tests: $1 (CODA_REQUIRE_PYTHON=1 makes this a failure): $APT" >&2
    exit 1
  fi
  echo "=================================================================================="
  echo "SKIPPED: python client tests: $1"
  echo "  install: $APT"
  echo "=================================================================================="
  exit 0
}

[ -x "$PY" ] || skip "no $PY"
missing=$("$PY" - <<'PYEOF'
import importlib.util
need = {"grpc": "python3-grpcio", "google.protobuf": "python3-protobuf", "numpy": "python3-numpy", "pytest": "python3-pytest"}
print(" ".join(pkg for mod, pkg in need.items() if importlib.util.find_spec(mod.split(".")[0]) is None or (mod == "google.protobuf" and importlib.util.find_spec(mod) is None)))
PYEOF
)
[ -z "$missing" ] || skip "missing Debian packages: $missing"
[ -f ../../dist/cli/main.js ] || { echo "python client tests: no dist/: run npm run build first" >&2; exit 1; }

if "$PY" -c 'import mypy' 2>/dev/null; then
  echo "== mypy --strict (coda_client, its tests, examples/python)"
  "$PY" -m mypy || exit 1
elif [ "${CODA_REQUIRE_PYTHON:-}" = "1" ]; then
  echo "python client tests: mypy missing (CODA_REQUIRE_PYTHON=1): apt-get install -y python3-mypy" >&2
  exit 1
else
  echo "SKIPPED: mypy --strict (apt-get install -y python3-mypy)"
fi

echo "== pytest (clients/python/tests, against a local cluster)"
"$PY" -m pytest -p no:cacheprovider "$@"
code=$?
# pytest's 5 is "no tests ran": a suite that ran nothing has not passed.
[ $code -eq 5 ] && echo "python client tests: pytest collected no tests" >&2
exit $code
