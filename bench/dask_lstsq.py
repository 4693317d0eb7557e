"""Dask distributed's wait-all baseline for `npm run bench -- dask` (bench/dask.ts).

Steepest descent with exact line search on the same A, b as Coda: each iteration submits one
task per data block (block j pinned to worker j), each task sleeps the same injected delay Coda's
worker j draws in that round (the cluster laid out as Coda's: `per_process` threads in each of
workers / per_process worker processes, block j on process j // per_process), then returns A_j^T (A_j x - b_j); the driver waits for all of them
(wait-all), steps, and stops when ||x - x*|| / ||x*|| <= target. Prints one JSON line per repeat.
"""
import json
import sys
import time

import numpy as np
from distributed import Client, LocalCluster, wait

WARMUP_ROUNDS = 20  # Dask's rounds cost ~20 ms each; Python has no JIT to warm


def partial_gradient(block, x, delay):
    time.sleep(delay)
    A, b = block
    return A.T @ (A @ x - b)


def main():
    folder, workers, target, max_rounds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    per_process = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    processes = -(-workers // per_process)
    A = np.load(f"{folder}/A.npy")
    b = np.load(f"{folder}/b.npy")
    x_star = np.load(f"{folder}/xstar.npy")
    delays = np.load(f"{folder}/delays.npy")  # repeats x rounds x workers, seconds
    G = A.T @ A
    c = A.T @ b
    starts = np.linspace(0, A.shape[0], workers + 1).round().astype(int)
    cluster = LocalCluster(n_workers=processes, threads_per_worker=per_process, processes=True, host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    try:
        addresses = sorted(client.scheduler_info()["workers"].keys())
        blocks = [client.scatter((A[starts[j]:starts[j + 1]], b[starts[j]:starts[j + 1]]), workers=[addresses[j // per_process]]) for j in range(workers)]
        wait(blocks)
        for rep in range(delays.shape[0]):
            # Warm-up rounds (imports, connections, caches) outside the timing, as Coda's runs have.
            for _ in range(WARMUP_ROUNDS):
                client.gather([client.submit(partial_gradient, blocks[j], np.zeros(A.shape[1]), 0.0, workers=[addresses[j // per_process]], pure=False) for j in range(workers)])
            x = np.zeros(A.shape[1])
            t0 = time.perf_counter()
            reached = None
            for r in range(max_rounds):
                futures = [client.submit(partial_gradient, blocks[j], x, float(delays[rep, r, j]), workers=[addresses[j // per_process]], pure=False) for j in range(workers)]
                g = np.sum(client.gather(futures), axis=0)
                curv = g @ (G @ g)
                x = x - (g @ g / curv if curv > 0 else 0.0) * g
                if np.linalg.norm(x - x_star) / np.linalg.norm(x_star) <= target:
                    reached = (r + 1, time.perf_counter() - t0)
                    break
            print(json.dumps({"repeat": rep, "rounds": reached[0] if reached else None, "seconds": reached[1] if reached else None}), flush=True)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
