"""Answers from the cluster equal numpy's on seeded problems, for every job kind."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import coda_client as coda


def rel(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def test_least_squares_matches_numpy_lstsq(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    A = rng.standard_normal((600, 12))
    b = A @ rng.standard_normal(12) + 0.1 * rng.standard_normal(600)
    r = cluster.least_squares(A, b, scheme={"name": "frc", "stragglers": 1}, stop={"tol": 1e-12}).result()
    assert r.x.shape == (12,) and r.x.dtype == np.float64
    assert rel(r.x, np.linalg.lstsq(A, b, rcond=None)[0]) < 1e-9
    assert r.json["job"] == "least-squares" and r.stopped_by == "tol"
    assert len(r.history) == r.json["rounds"]


def test_inverse_and_pseudoinverse_match_numpy(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    M = rng.standard_normal((40, 40)) + 10 * np.eye(40)
    inv = cluster.invert(M, stragglers=1, tol=1e-12).result().inverse
    assert inv.shape == (40, 40)
    assert rel(inv, np.linalg.inv(M)) < 1e-9
    T = rng.standard_normal((60, 8))
    pinv = cluster.pinv(T, tol=1e-12).result().inverse
    assert pinv.shape == (8, 60)
    assert rel(pinv, np.linalg.pinv(T)) < 1e-9


def logistic_reference(X: NDArray[np.float64], y: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """Newton's method on (1/n) Σ log(1 + exp(−yᵢxᵢᵀw)) + (λ/2)‖w‖², to machine precision."""
    n, d = X.shape
    w = np.zeros(d)
    for _ in range(50):
        m = y * (X @ w)
        s = 1 / (1 + np.exp(m))
        g = -(X.T @ (y * s)) / n + lam * w
        H = (X.T * (s * (1 - s))) @ X / n + lam * np.eye(d)
        w -= np.linalg.solve(H, g)
        if np.linalg.norm(g) < 1e-14:
            break
    return w


def test_logistic_regression_matches_a_numpy_newton(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    X = rng.standard_normal((400, 5))
    y = np.sign(X @ rng.standard_normal(5) + 0.5 * rng.standard_normal(400))
    r = cluster.logistic(X, y, solver="newton", lam=1e-3, stop={"gradNorm": 1e-10, "maxRounds": 100}).result()
    assert r.w.shape == (5,)
    assert rel(r.w, logistic_reference(X, y, 1e-3)) < 1e-6


def test_kernel_regression_and_its_predict(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    X = rng.uniform(-1, 1, (300, 3))
    y = np.sin(2 * X[:, 0]) + np.cos(X[:, 1]) * X[:, 2]
    r = cluster.kernel_regression(X, y, kernel="gaussian", bandwidth=1.0, solver="eigenpro-sync", eigenpro={"epochs": 5, "nystrom": 100, "q": 10}).result()
    model = r.model()
    C, alpha, y_train = r.centers, r.alpha, r.y_train
    # predict() is f(x) = Σ α_j exp(−‖x − c_j‖²/2σ²), computed here directly for a few points.
    P = rng.uniform(-1, 1, (7, 3))
    direct = np.array([sum(a * np.exp(-np.sum((p - c) ** 2) / 2) for a, c in zip(alpha, C)) for p in P])
    assert np.allclose(r.predict(P), direct, rtol=1e-10, atol=1e-12)
    # ... and agrees with the master's own evaluation of the training error.
    train = np.sum((model.predict(C) - y_train) ** 2) / np.sum(y_train**2)
    assert abs(train - r.json["final"]["trainRelError"]) <= 1e-6 * max(train, 1e-12) + 1e-12
    assert train < 0.05


def test_showdown_and_table1_on_the_seeded_generator(cluster: coda.LocalCluster) -> None:
    synthetic = {"kind": "gaussian", "rows": 400, "cols": 8, "seed": 3}
    s = cluster.showdown(synthetic=synthetic, schemes=[{"name": "wait-all"}, {"name": "frc", "stragglers": 1}], repeats=1, time_budget=0.5, tail_free=False, chaos={"delay": {"dist": "constant", "value": 0.0005}}).result()
    assert [row["scheme"] for row in s.json["summary"]] == ["wait-all", "frc(stragglers=1)"]
    assert all(row["reachedTarget"] == "1/1" for row in s.json["summary"])
    t = cluster.table1(synthetic=synthetic, instances=2, iterations=50, methods=["sd", "gaussian"]).result()
    assert sorted(t.json["table"]) == ["gaussian", "sd"]
