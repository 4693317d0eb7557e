"""Dask distributed's side of `npm run bench -- dask` (bench/dask.ts): the same steepest descent on
the same A, b as Coda, the same scheme, the same step rule and the very delays Coda's workers
sleep, driven as Dask's users drive it fast.

bench/dask.ts starts this once per layout with Debian's python3 and talks to it in JSON lines, so
Dask's runs interleave with Coda's:
  argv[1]: {"folder", "workers", "perProcess", "threads", "task", "cancel", "direct", "firstQ"}
  (hello)                   -> {"dask": version, "workers": [addresses], "nthreads": ..., ...}
  {"run": {...}}            -> {"seconds", "rounds", "relError", "reached"}
  {"exit": true}            -> (closes the cluster)

The driver, as a Dask expert would write it:
- the data is scattered once: block j (rows starts[j]:starts[j+1]) lives on worker process
  j // perProcess, laid out as Coda's worker services;
- a round is one `client.map` over the blocks (one message to the scheduler), each task sleeping
  the delay Coda's worker j draws in that round and returning A_jᵀ(A_j x − b_j); the scheduler
  places each task where its block lives (work stealing off: a stolen task would fetch its block);
  every task checks that it runs on its block's worker, so a misplaced task fails the run loudly;
- wait-all: `client.gather` of the round; first-q: `as_completed(..., with_results=True)` until q
  results are in (`firstQ`: "gather" waits for q completions, then gathers them at once), rescaled
  by K/q as Coda's ignore-stragglers, then the rest cancelled
  (`cancel`: "release" drops the futures, which the client tells the scheduler in its next batch;
  "cancel" waits for `client.cancel`). A task already running cannot be interrupted in Dask: it
  keeps its thread until its sleep ends, so each worker process has `threads` threads (bench/dask.ts
  gives it twice its blocks) and a straggler never holds the thread the next round needs.
- `task`: "thread" (a plain function on the worker's thread pool, the default) or "async" (a
  coroutine on the worker's event loop: its sleep holds no thread); `direct`: the client gathers
  results from the workers directly instead of through the scheduler.
- the step: a fixed step (the same number on both systems), or the exact line search along the
  direction with the master's G = AᵀA, as Coda's master does.
"""
import asyncio
import json
import sys
import time

import dask
import numpy as np
from distributed import Client, LocalCluster, as_completed, get_worker, wait


def partial_gradient(block, x, delay, where):
    if get_worker().address != where:
        raise RuntimeError(f"task for {where} ran on {get_worker().address}")
    if delay > 0:
        time.sleep(delay)
    A, b = block
    return A.T @ (A @ x - b)


async def partial_gradient_async(block, x, delay, where):
    if get_worker().address != where:
        raise RuntimeError(f"task for {where} ran on {get_worker().address}")
    if delay > 0:
        await asyncio.sleep(delay)
    A, b = block
    return A.T @ (A @ x - b)


class Driver:
    def __init__(self, cfg):
        folder = cfg["folder"]
        self.K = int(cfg["workers"])
        self.per = int(cfg["perProcess"])
        self.cancel_mode = cfg.get("cancel", "release")
        self.first_q = cfg.get("firstQ", "results")
        self.fn = partial_gradient_async if cfg.get("task", "thread") == "async" else partial_gradient
        A = np.load(f"{folder}/A.npy")
        b = np.load(f"{folder}/b.npy")
        self.x_star = np.load(f"{folder}/xstar.npy")
        self.d = A.shape[1]
        self.G = A.T @ A
        self.c = A.T @ b
        starts = np.linspace(0, A.shape[0], self.K + 1).round().astype(int)
        processes = -(-self.K // self.per)
        # A task is pinned by its data; a stolen one would fetch its block from another process.
        dask.config.set({"distributed.scheduler.work-stealing": False})
        self.cluster = LocalCluster(
            n_workers=processes,
            threads_per_worker=int(cfg["threads"]),
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        self.client = Client(self.cluster, direct_to_workers=bool(cfg.get("direct", False)))
        addresses = sorted(self.client.scheduler_info()["workers"].keys())
        self.where = [addresses[j // self.per] for j in range(self.K)]
        self.blocks = [
            self.client.scatter((A[starts[j]:starts[j + 1]], b[starts[j]:starts[j + 1]]), workers=[self.where[j]], hash=False)
            for j in range(self.K)
        ]
        wait(self.blocks)
        info = self.client.scheduler_info()["workers"]
        self.hello = {
            "dask": dask.__version__,
            "numpy": np.__version__,
            "workers": addresses,
            "nthreads": [info[a]["nthreads"] for a in addresses],
            "task": cfg.get("task", "thread"),
            "cancel": self.cancel_mode,
            "firstQ": self.first_q,
            "directToWorkers": bool(cfg.get("direct", False)),
            "workStealing": False,
        }

    def round(self, x, delays, order, q):
        futures = self.client.map(
            self.fn,
            [self.blocks[j] for j in order],
            [x] * len(order),
            [float(delays[j]) for j in order],
            [self.where[j] for j in order],
            pure=False,
        )
        if q >= self.K:
            return np.sum(self.client.gather(futures), axis=0)
        got = []
        if self.first_q == "gather":
            # Completion notices only, then one gather of the first q.
            done = []
            for fut in as_completed(futures):
                done.append(fut)
                if len(done) == q:
                    break
            got = self.client.gather(done)
        else:
            for _, result in as_completed(futures, with_results=True):
                got.append(result)
                if len(got) == q:
                    break
        if self.cancel_mode == "cancel":
            self.client.cancel(futures)
        # "release": the futures go out of scope here; the client releases their keys in its next batch.
        return (self.K / q) * np.sum(got, axis=0)

    def run(self, spec):
        delays = np.load(spec["delays"])  # rounds x workers, seconds
        q = int(spec.get("q", self.K))
        step = spec["step"]
        target = spec.get("target")
        max_rounds = int(spec["maxRounds"])
        rng = np.random.default_rng(int(spec.get("seed", 1)))
        everyone = list(range(self.K))
        zero = np.zeros(self.K)
        for _ in range(int(spec.get("warmup", 0))):
            self.round(np.zeros(self.d), zero, everyone, self.K)
        x = np.zeros(self.d)
        ref = np.linalg.norm(self.x_star) or 1.0
        rel = None
        reached = False
        rounds = 0
        t0 = time.perf_counter()
        for r in range(max_rounds):
            # First-q sends in a fresh order each round, as Coda's ignore-stragglers does (with equal
            # delays the first sent would answer first round after round).
            order = list(rng.permutation(self.K)) if q < self.K else everyone
            direction = self.round(x, delays[r], order, q)
            if step == "line-search":
                g = self.G @ x - self.c
                curv = direction @ (self.G @ direction)
                alpha = (direction @ g) / curv if curv > 0 else 0.0
            else:
                alpha = float(step)
            x = x - alpha * direction
            rounds = r + 1
            rel = float(np.linalg.norm(x - self.x_star) / ref)
            if target is not None and rel <= target:
                reached = True
                break
        seconds = time.perf_counter() - t0
        if target is None:
            reached = rounds == max_rounds
        return {"seconds": seconds, "rounds": rounds, "relError": rel, "reached": reached}

    def close(self):
        self.client.close()
        self.cluster.close()


def main():
    driver = Driver(json.loads(sys.argv[1]))
    try:
        print(json.dumps(driver.hello), flush=True)
        for line in sys.stdin:
            msg = json.loads(line)
            if msg.get("exit"):
                break
            try:
                reply = driver.run(msg["run"])
            except Exception as e:  # reported to the TypeScript side, which stops
                reply = {"error": repr(e)}
            print(json.dumps(reply), flush=True)
    finally:
        driver.close()


if __name__ == "__main__":
    main()
