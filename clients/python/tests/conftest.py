"""The Python suite runs against a real local cluster (``coda up`` from this checkout's dist/),
started once for the session and checked at the end for leftover processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import coda_client as coda  # noqa: E402

CHECKOUT = coda.find_checkout(HERE)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by whoever adopted it) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="session")
def cluster() -> Iterator[coda.LocalCluster]:
    """Four workers for the session; every pid it started must be gone after it."""
    c = coda.local(workers=4)
    pids = [c.process.pid, *c.pids]
    try:
        yield c
    finally:
        c.close()
        left = [p for p in pids if alive(p)]
        assert left == [], f"processes left behind by the local cluster: {left}"


@pytest.fixture()
def rng() -> np.random.Generator:
    """Seeded: every test's problem is the same on every run."""
    return np.random.default_rng(20261207)


class BareMaster:
    """`coda master` alone (no workers) on 127.0.0.1: for refusals, which need no workers."""

    def __init__(self, *args: str, token: str = "", cwd: Path = CHECKOUT) -> None:
        import re
        import subprocess

        env = {**os.environ, "CODA_TOKEN": token, "CODA_LOG_LEVEL": "warn"}
        self.process = subprocess.Popen(
            ["node", str(CHECKOUT / "bin" / "coda.js"), "master", "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", *args],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        assert self.process.stdout is not None
        seen = []
        for raw in self.process.stdout:
            line = raw.decode(errors="replace")
            seen.append(line)
            m = re.search(r"master listening on (\S+)", line)
            if m:
                self.address = m.group(1)
                break
        else:
            raise RuntimeError(f"coda master did not start: {''.join(seen)}")

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except Exception:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()
