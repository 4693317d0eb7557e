"""numpy/scipy's side of `npm run bench -- lapack`: the same factorizations at the same sizes, as a
numpy user calls them, timed the same way (the call repeated until a run lasts min_seconds).
bench/lapack.ts starts this with Debian's python3 and OPENBLAS_NUM_THREADS=1 (and threadpoolctl
holds the BLAS to one thread) and talks to it in JSON lines, so the runs interleave with Coda's:
  (hello)                 -> {"numpy": ..., "scipy": ..., "blas": threadpool_info()}
  {"setup": {...case}}    -> {"ok": true}
  {"run": min_seconds}    -> {"seconds": per call}     (one run of the case set up last)
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.linalg
from scipy.linalg import lapack
from threadpoolctl import threadpool_info, threadpool_limits


def spd(rng, n):
    G = rng.standard_normal((n, n))
    return G @ G.T + n * np.eye(n)


def setup(spec, rng):
    kind, m, n = spec["kind"], spec["m"], spec["n"]
    if kind == "qr-pivoted":
        A = rng.standard_normal((m, n))
        return lambda: scipy.linalg.qr(A, pivoting=True, mode="economic")
    if kind == "qr":
        A = rng.standard_normal((m, n))
        return lambda: np.linalg.qr(A)  # dgeqrf + dorgqr, reduced
    if kind == "eigh":
        A = spd(rng, n)
        return lambda: np.linalg.eigh(A)  # dsyevd, as Coda
    if kind == "svd":
        A = rng.standard_normal((m, n))
        return lambda: scipy.linalg.svd(A, full_matrices=False)  # dgesdd
    # Coda's LU, Cholesky and inverse also estimate the condition number (dgecon / dpocon), which
    # is what lets them refuse a matrix singular to working precision: the same work here.
    if kind == "lu":
        A = rng.standard_normal((n, n))

        def lu_rcond():
            lu, piv = scipy.linalg.lu_factor(A)
            return lu, piv, lapack.dgecon(lu, np.linalg.norm(A, 1), norm="1")

        return lu_rcond
    if kind == "cholesky":
        A = spd(rng, n)

        def cho_rcond():
            c, lower = scipy.linalg.cho_factor(A, lower=True)
            return c, lapack.dpocon(c, np.linalg.norm(A, 1), uplo="L")

        return cho_rcond
    if kind == "inv":
        A = rng.standard_normal((n, n)) + np.sqrt(n) * np.eye(n)

        def inv_rcond():
            lu, piv, info = lapack.dgetrf(A)
            rcond, info = lapack.dgecon(lu, np.linalg.norm(A, 1), norm="1")
            inv, info = lapack.dgetri(lu, piv)
            return inv, rcond

        return inv_rcond
    if kind == "lstsq":
        A = rng.standard_normal((m, n))
        b = rng.standard_normal(m)
        return lambda: np.linalg.lstsq(A, b, rcond=None)  # dgelsd
    raise ValueError(f"unknown case {kind}")


def run_once(fn, min_seconds):
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return elapsed / calls


def main():
    rng = np.random.default_rng(1)
    fn = None
    with threadpool_limits(limits=1, user_api="blas"):
        blas = [{k: i.get(k) for k in ("internal_api", "version", "filepath", "architecture", "num_threads")} for i in threadpool_info()]
        print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__, "blas": blas}), flush=True)
        for line in sys.stdin:
            msg = json.loads(line)
            try:
                if "setup" in msg:
                    fn = setup(msg["setup"], rng)
                    fn()  # warm up
                    reply = {"ok": True}
                elif "run" in msg:
                    reply = {"seconds": run_once(fn, float(msg["run"]))}
                else:
                    reply = {"error": f"unknown request {line.strip()}"}
            except Exception as e:  # reported to the TypeScript side, which stops
                reply = {"error": repr(e)}
            print(json.dumps(reply), flush=True)


main()
