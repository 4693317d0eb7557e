"""``coda.local(workers=N)``: a local cluster (``coda up``) from this checkout, for as long as a ``with`` block."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Optional, Union

from .client import Client
from .errors import ClusterError, InputError

__all__ = ["LocalCluster", "local", "find_checkout"]

_UP = re.compile(r"local cluster up in [\d.]+ s: master (\S+), \d+ workers in \d+ processes \(pids ([\d ]+)\)")


def find_checkout(start: Optional[Path] = None) -> Path:
    """The Coda checkout that holds ``bin/coda.js``: ``$CODA_HOME``, else the folder this package sits in (clients/python/coda_client)."""
    env = os.environ.get("CODA_HOME")
    candidates = [Path(env)] if env else []
    here = (start or Path(__file__)).resolve()
    candidates += list(here.parents)
    for c in candidates:
        if (c / "bin" / "coda.js").is_file() and (c / "package.json").is_file():
            return c
    raise InputError("cannot find the Coda checkout (bin/coda.js) for a local cluster: set CODA_HOME to it")


class LocalCluster(Client):
    """
    A master and ``workers`` worker processes on 127.0.0.1 (``node bin/coda.js up``), with a fresh
    random token, and a client connected to it. Leaving the ``with`` block (or ``close()``) stops
    the cluster and waits until none of its processes is left.
    """

    def __init__(self, workers: int = 4, *, checkout: Union[str, Path, None] = None, per_process: Optional[int] = None, max_upload_bytes: Optional[str] = None, startup_timeout: float = 120.0, node: Optional[str] = None) -> None:
        if workers < 1:
            raise InputError(f"workers must be at least 1, got {workers}")
        root = Path(checkout) if checkout is not None else find_checkout()
        if not (root / "dist" / "cli" / "main.js").is_file():
            raise InputError(f"{root} has no build (dist/): run `npm run build` there first")
        node_bin = node or os.environ.get("CODA_NODE") or shutil.which("node")
        if node_bin is None:
            raise InputError("node (Node.js 20) is not on PATH: a local cluster runs `node bin/coda.js up`")
        args = [node_bin, str(root / "bin" / "coda.js"), "up", "--workers", str(workers), "--port", "0", "--metrics-port", "0", "--parent-watch"]
        if per_process is not None:
            args += ["--per-process", str(per_process)]
        if max_upload_bytes is not None:
            args += ["--max-upload-bytes", max_upload_bytes]
        token = secrets.token_hex(16)
        # The cluster's own logs (JSON lines) go to a file: shown when it fails to start.
        self._log: IO[bytes] = tempfile.NamedTemporaryFile(prefix="coda-local-", suffix=".log", delete=False)
        env = {**os.environ, "CODA_TOKEN": token, "CODA_LOG_LEVEL": os.environ.get("CODA_LOG_LEVEL", "warn")}
        # Its own process group, so teardown reaches every process it started; --parent-watch and
        # the stdin pipe held here stop the cluster when this process dies without a teardown.
        self.process = subprocess.Popen(args, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, start_new_session=True)
        self.pids: list[int] = []
        self._stopped = False
        try:
            address = self._wait_up(startup_timeout)
            super().__init__(address, token=token, wait=30.0, default_workers=workers)
        except BaseException:
            self._stop()
            raise

    def _wait_up(self, timeout: float) -> str:
        assert self.process.stdout is not None
        found: list[str] = []
        lines: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for raw in self.process.stdout:
                line = raw.decode(errors="replace")
                lines.append(line)
                m = _UP.search(line)
                if m:
                    found.append(m.group(1))
                    self.pids = [int(p) for p in m.group(2).split()]
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        if not found:
            code = self.process.poll()
            self._log.flush()
            tail = Path(self._log.name).read_text(errors="replace").strip().splitlines()[-5:]
            why = f"exited with {code}" if code is not None else f"not up within {timeout:g} s"
            raise ClusterError(f"local cluster {why}: {' | '.join(tail + [l.strip() for l in lines[-3:]]) or 'no output'}")
        # Keep draining stdout so the cluster never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return found[0]

    def _drain(self) -> None:
        out = self.process.stdout
        if out is not None:
            for _ in out:
                pass

    def close(self) -> None:
        """Stops the cluster (SIGTERM: the master stops its workers), then anything of it still there (SIGKILL)."""
        if getattr(self, "_channel", None) is not None:
            super().close()
        self._stop()

    def _stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        p = self.process
        if p.stdin is not None:
            p.stdin.close()
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        # The group: the master's process and every worker it started (they exit with it; this is the backstop).
        deadline = time.monotonic() + 10
        while _group_alive(p.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(p.pid):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if p.poll() is None:
            p.kill()
        p.wait()
        if p.stdout is not None:
            p.stdout.close()
        self._log.close()
        os.unlink(self._log.name)

    def __enter__(self) -> "LocalCluster":
        return self

    def __exit__(self, et: Optional[type[BaseException]], ev: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<coda LocalCluster {getattr(self, 'address', '?')} pids {self.pids}>"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def local(
    workers: int = 4,
    *,
    checkout: Union[str, Path, None] = None,
    per_process: Optional[int] = None,
    max_upload_bytes: Optional[str] = None,
    startup_timeout: float = 120.0,
    node: Optional[str] = None,
) -> LocalCluster:
    """
    A local cluster of ``workers`` workers from this checkout (``node bin/coda.js up``, found
    from this package's location or ``$CODA_HOME``) and a client of it, whose jobs run on all
    its workers unless they say otherwise: ``with coda.local(workers=8) as c: ...``. Leaving the
    block stops it and leaves no process behind; so does this process dying.
    """
    return LocalCluster(workers, checkout=checkout, per_process=per_process, max_upload_bytes=max_upload_bytes, startup_timeout=startup_timeout, node=node)
