"""examples/python/quickstart.py runs (shortened) as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import CHECKOUT


def test_quickstart_runs(tmp_path: Path) -> None:
    png = tmp_path / "showdown.png"
    r = subprocess.run(
        [sys.executable, str(CHECKOUT / "examples" / "python" / "quickstart.py"), str(png)],
        env={**os.environ, "CODA_QUICKSTART_SHORT": "1"}, capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fastest to 1e-3:" in r.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no plot" in r.stdout
    else:
        assert png.stat().st_size > 0
