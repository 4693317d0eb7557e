"""numpy's side of `npm run bench -- kernels`: the same kernels at the same sizes, as a numpy user
would write them, timed the same way (the call repeated until a run lasts min_seconds).
bench/kernels.ts starts this with Debian's python3 and OPENBLAS_NUM_THREADS=1 and talks to it in
JSON lines, so numpy's runs interleave with the native and plain ones:
  {"setup": {...kernel}}  -> {"ok": true}
  {"run": min_seconds}     -> {"seconds": per call}     (one run of the kernel set up last)
"""
import json
import os
import sys
import time

import numpy as np


def gaussian_block(X, C, cn, g):
    xn = np.einsum("ij,ij->i", X, X)
    D = xn[:, None] + cn[None, :] - 2.0 * (X @ C.T)
    np.maximum(D, 0.0, out=D)
    np.multiply(D, g, out=D)
    return np.exp(D, out=D)


def setup(spec, rng):
    kind = spec["kind"]
    n, d = spec.get("n", 0), spec.get("d", 0)
    if kind in ("matvec", "mattvec", "gradient", "logistic-gradient"):
        A = rng.standard_normal((n, d))
        x = rng.standard_normal(d)
        b = rng.standard_normal(n)
        y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        w = 0.05 * rng.standard_normal(d)
        if kind == "matvec":
            return lambda: A @ x
        if kind == "mattvec":
            return lambda: A.T @ b
        if kind == "gradient":
            return lambda: A.T @ (A @ x - b)

        def logistic():
            m = y * (A @ w)
            loss = np.logaddexp(0.0, -m).sum()
            beta = -y / (1.0 + np.exp(m))
            return A.T @ beta, loss

        return logistic
    if kind == "gram":
        A = rng.standard_normal((n, d))
        return lambda: A.T @ A  # numpy sees the transpose and calls dsyrk
    if kind == "gram-weighted":
        A = rng.standard_normal((n, d))
        gamma = rng.random(n)

        def weighted():
            As = A * np.sqrt(gamma)[:, None]
            return As.T @ As

        return weighted
    if kind == "local-newton":
        A = rng.standard_normal((n, d))
        y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        w = 0.05 * rng.standard_normal(d)
        g = rng.standard_normal(d)
        lam = spec["lambda"]

        def newton():
            m = y * (A @ w)
            s = 1.0 / (1.0 + np.exp(-m))
            As = A * np.sqrt(s * (1.0 - s))[:, None]
            H = (As.T @ As) / n
            H[np.diag_indices(d)] += lam
            return np.linalg.solve(H, g)

        return newton
    if kind == "kernel-block":
        X = rng.standard_normal((n, d))
        cn = np.einsum("ij,ij->i", X, X)
        idx = rng.choice(n, spec["m"], replace=False)
        g = -1.0 / (2.0 * spec["bandwidth"] ** 2)
        return lambda: gaussian_block(X[idx], X, cn, g)
    if kind == "kernel-predict":
        P = rng.standard_normal((spec["points"], d))
        C = rng.standard_normal((n, d))
        alpha = rng.standard_normal(n)
        cn = np.einsum("ij,ij->i", C, C)
        g = -1.0 / (2.0 * spec["bandwidth"] ** 2)
        block = spec["blockRows"]

        def predict():
            out = np.empty(P.shape[0])
            for s in range(0, P.shape[0], block):
                out[s:s + block] = gaussian_block(P[s:s + block], C, cn, g) @ alpha
            return out

        return predict
    if kind == "column-solve":
        # Block CG on the normal equations for k unit columns, `iterations` steps (as the worker's
        # block solver: products with M for all columns at once, per-column scalars).
        M = rng.standard_normal((n, n)) + spec["shift"] * np.sqrt(n) * np.eye(n)
        k, its = spec["columns"], spec["iterations"]
        cols = rng.choice(n, k, replace=False)
        Y = np.zeros((k, n))
        Y[np.arange(k), cols] = 1.0

        def cg():
            X = np.zeros((k, n))
            R = X @ M.T - Y
            S = R @ M
            P = S.copy()
            gamma = np.einsum("ij,ij->i", S, S)
            for _ in range(its):
                Q = P @ M.T
                alpha = gamma / np.einsum("ij,ij->i", Q, Q)
                X -= alpha[:, None] * P
                R -= alpha[:, None] * Q
                S = R @ M
                gn = np.einsum("ij,ij->i", S, S)
                P = S + (gn / gamma)[:, None] * P
                gamma = gn
            R = X @ M.T - Y
            return X, R @ M

        return cg
    if kind in ("count-sketch", "count-sketch-add-at"):
        A = rng.standard_normal((n, d))
        width = spec["width"]
        bucket = rng.integers(0, width, n)
        sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        if kind == "count-sketch-add-at":
            # np.add.at: the unbuffered scatter-add, a known slow path (shown for comparison only).
            def sketch_add_at():
                out = np.zeros((width, d))
                np.add.at(out, bucket, sign[:, None] * A)
                return out

            return sketch_add_at
        # As a scipy user writes it: the sketch as a sparse matrix S (width x n, one ±1 a column),
        # built once outside the timed region, and the product S @ A.
        import scipy.sparse

        S = scipy.sparse.csr_matrix((sign, (bucket, np.arange(n))), shape=(width, n))
        return lambda: S @ A
    raise ValueError(f"unknown kernel kind {kind}")


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
    info = blas_info()
    hello = {"numpy": np.__version__, "blas": describe_blas(info), "blasInfo": info}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        msg = json.loads(line)
        if "setup" in msg:
            fn = setup(msg["setup"], rng)
            fn()  # warm up
            reply = {"ok": True}
        elif "run" in msg:
            reply = {"seconds": run_once(fn, float(msg["run"]))}
        else:
            reply = {"error": f"unknown request {line.strip()}"}
        print(json.dumps(reply), flush=True)


def blas_info():
    """numpy's BLAS as loaded in this process: threadpoolctl's report where it is installed, else
    the BLAS and LAPACK libraries mapped into the process (/proc/self/maps)."""
    try:
        from threadpoolctl import threadpool_info

        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if libs:
            return {
                "source": "threadpoolctl",
                "libraries": [{k: i.get(k) for k in ("internal_api", "version", "filepath", "num_threads", "architecture")} for i in libs],
            }
    except ImportError:
        pass
    mapped = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path).lower()
                if "blas" in name or "lapack" in name:
                    mapped.add(os.path.realpath(path))
    except OSError:
        pass
    return {"source": "/proc/self/maps", "libraries": [{"filepath": p} for p in sorted(mapped)]}


def describe_blas(info):
    libs = info["libraries"]
    if not libs:
        return f"no BLAS library found ({info['source']})"
    parts = []
    for lib in libs:
        name = " ".join(str(lib[k]) for k in ("internal_api", "version") if lib.get(k))
        threads = f", {lib['num_threads']} threads" if lib.get("num_threads") is not None else ""
        parts.append(f"{name + ' ' if name else ''}{lib['filepath']}{threads}")
    return f"{'; '.join(parts)} (from {info['source']})"

main()
