"""What a finished job gives back: result.json as a dict, the solution tensors as numpy arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError, ShapeError

__all__ = ["Result", "Progress", "KernelModel"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Progress:
    """One progress report of a running job (streamed by the master as rounds complete)."""

    round: int
    #: Seconds since the job's iterations started.
    elapsed: float
    #: The job's residual measure at that round (least squares: ‖∇f(x)‖/‖∇f(0)‖).
    residual: float
    #: Tasks cut off as stragglers in that round.
    stragglers: int


@dataclass(frozen=True)
class Result:
    """
    A finished job: ``json`` is its result.json, ``arrays`` its solution tensors by name
    (``x`` for least squares, ``inverse`` / ``pseudoinverse``, ``w``, ``alpha`` ...), also
    reachable as attributes (``result.x``), ``files`` the text files beside them (model.json),
    ``summary`` the line the CLI prints, ``history`` the per-round history (history.jsonl).
    """

    job_id: str
    json: dict[str, Any]
    arrays: dict[str, Array]
    files: dict[str, str]
    summary: str
    history_jsonl: bytes = field(default=b"", repr=False)

    @property
    def x(self) -> Array:
        """The solution of a least-squares job."""
        return self._array("x")

    @property
    def inverse(self) -> Array:
        """The inverse (or left pseudoinverse) of an inverse / pseudoinverse job."""
        return self._array("pseudoinverse" if "pseudoinverse" in self.arrays else "inverse")

    @property
    def w(self) -> Array:
        """The weights of a logistic-regression job."""
        return self._array("w")

    @property
    def stopped_by(self) -> Optional[str]:
        """Why the iterations stopped (``tol``, ``maxRounds``, ``timeLimit``, ``signal`` after a cancel), when the job says."""
        v = self.json.get("stoppedBy")
        return v if isinstance(v, str) else None

    @property
    def history(self) -> list[dict[str, Any]]:
        """Every round's record (history.jsonl), oldest first."""
        return [json.loads(line) for line in self.history_jsonl.decode().splitlines() if line.strip()]

    def model(self) -> "KernelModel":
        """The trained model of a kernel-regression job (model.json, centers and α)."""
        text = self.files.get("model.json")
        if text is None:
            raise InputError(f"job {self.job_id} made no model (only a kernel-regression job does)")
        m = json.loads(text)
        return KernelModel(kernel=m["kernel"]["name"], bandwidth=float(m["kernel"]["bandwidth"]), centers=self._array("centers"), alpha=self._array("alpha"))

    def predict(self, X: ArrayLike) -> Array:
        """Predictions of a kernel-regression job's model for the rows of X."""
        return self.model().predict(X)

    def __getattr__(self, name: str) -> Array:
        arrays = self.__dict__.get("arrays", {})
        if name in arrays:
            return arrays[name]  # type: ignore[no-any-return]
        raise AttributeError(f"job result has no array '{name}' (it has: {', '.join(sorted(arrays)) or 'none'})")

    def _array(self, name: str) -> Array:
        if name not in self.arrays:
            raise AttributeError(f"job {self.job_id} returned no array '{name}' (it has: {', '.join(sorted(self.arrays)) or 'none'})")
        return self.arrays[name]


@dataclass(frozen=True)
class KernelModel:
    """f(x) = Σⱼ αⱼ k(x, cⱼ), as ``coda predict`` computes it (shared/kernels/kernel-rows.ts)."""

    kernel: Literal["gaussian", "laplacian"]
    bandwidth: float
    centers: Array
    alpha: Array

    def predict(self, X: ArrayLike, block_rows: int = 1024) -> Array:
        P = np.atleast_2d(np.asarray(X, dtype=np.float64))
        C = self.centers
        if P.shape[1] != C.shape[1]:
            raise ShapeError(f"the points have {P.shape[1]} features, the model's centers have {C.shape[1]}")
        c_norms = np.einsum("ij,ij->i", C, C)
        out = np.empty(P.shape[0])
        for start in range(0, P.shape[0], block_rows):
            B = P[start : start + block_rows]
            d2 = np.einsum("ij,ij->i", B, B)[:, None] + c_norms[None, :] - 2.0 * (B @ C.T)
            np.maximum(d2, 0.0, out=d2)
            K = np.exp(d2 * (-1.0 / (2.0 * self.bandwidth**2))) if self.kernel == "gaussian" else np.exp(np.sqrt(d2) * (-1.0 / self.bandwidth))
            out[start : start + block_rows] = K @ self.alpha
        return out
