#!/usr/bin/env python3
"""A straggler showdown from Python: every scheme on the same least-squares problem, under the
heavy-tailed lambda-tail delays, on a local cluster started from this checkout.

    /usr/bin/python3 examples/python/quickstart.py [OUT.png]

The problem is a seeded numpy array sent to the master (no files on its disk); the result comes
back as a dict (result.json) and, for the least-squares solve at the end, a numpy array. Plots the
time to target per scheme with matplotlib when it is installed (skips the plot, not the run, when
it is not). CODA_QUICKSTART_SHORT=1 runs a smaller version (CI).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))
import coda_client as coda  # noqa: E402  (the checkout's package, without installing it)


def main() -> None:
    short = os.environ.get("CODA_QUICKSTART_SHORT") == "1"
    rng = np.random.default_rng(1)
    rows, cols = (800, 20) if short else (4800, 40)
    A = rng.standard_t(df=2, size=(rows, cols))
    b = A @ rng.standard_normal(cols) + 0.01 * rng.standard_normal(rows)

    with coda.local(workers=4) as c:
        job = c.showdown(
            A,
            b,
            schemes=[{"name": "wait-all"}, {"name": "ignore-stragglers"}, {"name": "frc", "stragglers": 1}, {"name": "leverage"}],
            chaos={"delay": {"dist": "lambda-tail", "base": 0.002 if short else 0.01}, "seed": 7},
            target=1e-3,
            time_budget=1 if short else 4,
            repeats=1 if short else 3,
            tail_free=not short,
        )
        for p in job.progress():
            print(f"run {p.round} done ({p.elapsed:.1f} s)", flush=True)
        result = job.result()
        print(result.json["table"])

        # The best scheme on the same arrays, as one least-squares job: x comes back as a numpy array.
        summary = result.json["summary"]
        best = min(summary, key=lambda s: s["timeToTarget"] if s["timeToTarget"] is not None else float("inf"))
        x = c.least_squares(A, b, scheme={"name": "frc", "stragglers": 1}, stop={"tol": 1e-10}).result().x
        x_np = np.linalg.lstsq(A, b, rcond=None)[0]
        print(f"fastest to 1e-3: {best['scheme']}; frc least squares vs numpy: {np.linalg.norm(x - x_np) / np.linalg.norm(x_np):.1e}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (apt-get install -y python3-matplotlib)")
        return
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/python-quickstart.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    names = [s["scheme"] for s in summary]
    times = [s["timeToTarget"] if s["timeToTarget"] is not None else np.nan for s in summary]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh(names, times, color="#4878a8")
    for i, t in enumerate(times):
        if np.isnan(t):
            ax.text(0, i, "  not reached within the time budget", va="center", fontsize=8)
    ax.set_xlabel("seconds to ‖x − x*‖/‖x*‖ ≤ 1e-3 (median, lambda-tail delays)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"plot: {out}")


if __name__ == "__main__":
    main()
