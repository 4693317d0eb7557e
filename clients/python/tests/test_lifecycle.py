"""Progress streams in, jobs can be cancelled and re-attached, a lost worker does not lose the job,
and a local cluster leaves no process behind however its Python process ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

import numpy as np

import coda_client as coda
from conftest import HERE, alive


def poll(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def test_progress_arrives_while_the_job_runs(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    A = rng.standard_normal((400, 10))
    b = rng.standard_normal(400)
    job = cluster.least_squares(A, b, chaos={"delay": {"dist": "constant", "value": 0.002}}, stop={"tol": 1e-12, "maxRounds": 60})
    seen = list(job.progress())
    r = job.result()
    assert len(seen) >= 2
    rounds = [p.round for p in seen]
    assert rounds == sorted(rounds) and rounds[-1] <= r.json["rounds"]
    assert all(p.elapsed >= 0 and p.residual >= 0 for p in seen)


def test_cancel_stops_a_running_job_and_attach_follows_a_job_by_id(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    A = rng.standard_normal((200, 5))
    b = rng.standard_normal(200)
    job = cluster.least_squares(A, b, chaos={"delay": {"dist": "constant", "value": 0.01}}, stop={"tol": 1e-300, "maxRounds": 100000, "timeLimit": 120})
    next(iter(job.progress()))
    other = cluster.attach(job.id)
    assert job.cancel() is True
    r = job.result(timeout=60)
    assert r.stopped_by == "signal"
    # The attached listener sees the same ending.
    assert other.result(timeout=60).stopped_by == "signal"
    assert cluster.cancel(job.id) is False


def test_a_lost_worker_does_not_lose_the_job(rng: np.random.Generator) -> None:
    A = rng.standard_normal((900, 9))
    b = A @ rng.standard_normal(9)
    with coda.local(workers=3) as c:
        job = c.least_squares(A, b, chaos={"delay": {"dist": "constant", "value": 0.01}}, stop={"tol": 1e-12, "maxRounds": 400})
        it = job.progress()
        next(it)
        os.kill(c.pids[1], signal.SIGKILL)
        r = job.result(timeout=120)
        pids = [c.process.pid, *c.pids]
    assert r.stopped_by == "tol"
    assert r.json["slotsRelocated"] > 0
    assert np.linalg.norm(r.x - np.linalg.lstsq(A, b, rcond=None)[0]) < 1e-8 * np.linalg.norm(r.x)
    assert [p for p in pids if alive(p)] == []


def test_nothing_is_left_running_after_the_with_block_or_after_python_is_killed() -> None:
    with coda.local(workers=2) as c:
        pids = [c.process.pid, *c.pids]
        assert all(alive(p) for p in pids)
    assert [p for p in pids if alive(p)] == []

    # A Python process killed outright (no teardown at all): the cluster notices and stops.
    script = f"import sys; sys.path.insert(0, {str(HERE.parent)!r}); import coda_client as coda, time\nc = coda.local(workers=2)\nprint(c.process.pid, *c.pids, flush=True)\ntime.sleep(600)\n"
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = [""]
    reader = threading.Thread(target=lambda: line.__setitem__(0, child.stdout.readline() if child.stdout else ""), daemon=True)
    reader.start()
    reader.join(120)
    pids = [int(p) for p in line[0].split()]
    try:
        assert len(pids) == 3, line[0]
        child.kill()
        child.wait()
        poll(lambda: not any(alive(p) for p in pids), 30, "the orphaned cluster to stop")
    finally:
        for p in pids:
            if alive(p):
                os.kill(p, signal.SIGKILL)
        child.stdout.close()
