"""A connection to a Coda master: submit jobs with numpy arrays, get numpy arrays back."""

from __future__ import annotations

import copy
import json
import os
import secrets
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Mapping, Optional, Sequence, Union

import grpc
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._proto import master_pb2 as pb
from ._wire import MasterStub, PemSource, TlsOptions, as_float64, open_channel, rpc_error, upload_messages
from .errors import ClusterError, InputError
from .job import Job

__all__ = ["Client", "connect", "UPLOAD_PREFIX"]

#: A data path naming an array sent with the job (master/server/uploads.ts).
UPLOAD_PREFIX = "upload:"

JobDict = Mapping[str, Any]


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _token(token: Optional[str], token_file: Union[str, Path, None]) -> Optional[str]:
    """As the CLI: the token from a file, else CODA_TOKEN; never from the command line, never logged."""
    if token is not None:
        return token or None
    if token_file is not None:
        try:
            return Path(token_file).read_text().strip() or None
        except OSError as e:
            raise InputError(f"cannot read token file {token_file}: {e.strerror or e}") from None
    return os.environ.get("CODA_TOKEN") or None


class Client:
    """
    A master's client. Every job method uploads its arrays (UploadArrays, in 1 MiB chunks of
    float64), submits the job and returns its :class:`Job` once the master accepted it (a refusal
    is raised right there, as its error class). ``submit`` takes any job the YAML can say, with
    numpy arrays where the file paths would be. Use as a context manager, or ``close()``.
    """

    def __init__(
        self,
        address: str,
        *,
        token: Optional[str] = None,
        token_file: Union[str, Path, None] = None,
        tls: Optional[TlsOptions] = None,
        wait: float = 10.0,
        reconnect: float = 300.0,
        default_workers: Optional[int] = None,
    ) -> None:
        self.address = address
        self._reconnect = reconnect
        #: A job's ``workers`` when it gives none (a local cluster: all of its workers; else the job file's default, 8).
        self.default_workers = default_workers
        self._channel = open_channel(address, tls)
        self._stub = MasterStub(self._channel, _token(token, token_file))
        self._jobs: list[Job] = []
        if wait > 0:
            try:
                grpc.channel_ready_future(self._channel).result(timeout=wait)
            except grpc.FutureTimeoutError:
                self._channel.close()
                raise ClusterError(f"master {address} did not accept a connection within {wait:g} s") from None

    # -- the general form ----------------------------------------------------------------------

    def submit(self, job: JobDict, *, job_id: Optional[str] = None, accept_timeout: float = 60.0) -> Job:
        """
        Submits a job as a dict of the job file's keys (``{"job": "least-squares", "data": {"A": A,
        "b": b}, ...}``). Every numpy array under ``data`` is uploaded and named ``upload:KEY``;
        strings stay paths under the master's data root. Returns once the master accepted it.
        """
        spec = copy.copy(dict(job))
        if self.default_workers is not None:
            spec.setdefault("workers", self.default_workers)
        arrays: list[tuple[str, NDArray[np.float64]]] = []
        if "data" in spec:
            spec["data"] = self._take_arrays(spec["data"], [], arrays)
        upload_id = self._upload(arrays) if arrays else ""
        jid = job_id or f"py-{int(time.time() * 1000):x}-{secrets.token_hex(6)}"
        # JSON is YAML: the master parses it with the same strict schema as a job file.
        request = pb.SubmitJobRequest(job_yaml=json.dumps(spec, allow_nan=False), job_id=jid, upload_id=upload_id)
        j = Job(self, jid, request, self._reconnect)
        self._jobs.append(j)
        j.wait_accepted(accept_timeout)
        return j

    def attach(self, job_id: str) -> Job:
        """A job this master holds (submitted earlier, from here or elsewhere): its events from now on, then its result."""
        j = Job(self, job_id, None, self._reconnect)
        self._jobs.append(j)
        j.wait_accepted(60.0)
        return j

    def cancel(self, job_id: str) -> bool:
        """Stops a job by id; False when it had already ended."""
        try:
            return self._stub.cancel(job_id, timeout=10.0)
        except grpc.RpcError as e:
            raise rpc_error(e, f"master {self.address}") from None

    # -- one method per job kind -----------------------------------------------------------------

    def least_squares(
        self,
        A: ArrayLike,
        b: ArrayLike,
        *,
        scheme: Optional[Mapping[str, Any]] = None,
        chaos: Optional[Mapping[str, Any]] = None,
        stop: Optional[Mapping[str, Any]] = None,
        step: Union[Literal["line-search", "inverse-lipschitz"], float, None] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """½‖Ax − b‖² by steepest descent under a straggler-mitigation scheme; ``result().x``."""
        return self._kind("least-squares", {"A": A, "b": b}, scheme=scheme, chaos=chaos, stop=stop, step=step, workers=workers, **options)

    def showdown(
        self,
        A: Optional[ArrayLike] = None,
        b: Optional[ArrayLike] = None,
        *,
        synthetic: Optional[Mapping[str, Any]] = None,
        schemes: Optional[Sequence[Mapping[str, Any]]] = None,
        chaos: Optional[Mapping[str, Any]] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """Every scheme on the same least-squares problem and straggling cluster (``job: straggler-showdown``); ``result().json['schemes']``."""
        return self._kind("straggler-showdown", self._data(A, b, synthetic), schemes=schemes, chaos=chaos, workers=workers, **options)

    def table1(
        self,
        A: Optional[ArrayLike] = None,
        b: Optional[ArrayLike] = None,
        *,
        synthetic: Optional[Mapping[str, Any]] = None,
        scheme: Optional[Mapping[str, Any]] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """The leverage paper's Table I: fixed-step SD against iterative sketches (``job: sketch-comparison``); ``result().json['table']``."""
        return self._kind("sketch-comparison", self._data(A, b, synthetic), scheme=scheme or {"name": "leverage"}, workers=workers, **options)

    def invert(
        self,
        M: ArrayLike,
        *,
        stragglers: int = 0,
        pinv: bool = False,
        solver: Optional[Literal["cg", "sd"]] = None,
        tol: Optional[float] = None,
        chaos: Optional[Mapping[str, Any]] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """M⁻¹ (or, with ``pinv``, the left pseudoinverse) by columns over fractional repetition; ``result().inverse``."""
        kind = "pseudoinverse" if pinv else "inverse"
        return self._kind(kind, {"A": M}, scheme={"name": "frc", "stragglers": stragglers}, solver=solver, tol=tol, chaos=chaos, workers=workers, **options)

    def pinv(self, M: ArrayLike, **options: Any) -> Job:
        """The left pseudoinverse (MᵀM)⁻¹Mᵀ of a tall full-rank M; ``result().inverse``."""
        return self.invert(M, pinv=True, **options)

    def logistic(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        solver: Optional[Literal["gd", "newton", "oversketched-newton", "giant"]] = None,
        lam: Optional[float] = None,
        X_test: Optional[ArrayLike] = None,
        y_test: Optional[ArrayLike] = None,
        chaos: Optional[Mapping[str, Any]] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """Logistic regression with labels ±1 (``job: logistic-regression``); ``result().w``."""
        data: dict[str, Any] = {"X": X, "y": y}
        if (X_test is None) != (y_test is None):
            raise InputError("give both X_test and y_test, or neither")
        if X_test is not None:
            data["test"] = {"X": X_test, "y": y_test}
        return self._kind("logistic-regression", data, solver=solver, chaos=chaos, workers=workers, **{"lambda": lam}, **options)

    def kernel_regression(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        kernel: Literal["gaussian", "laplacian"] = "gaussian",
        bandwidth: float = 1.0,
        solver: Optional[Literal["eigenpro-sync", "eigenpro-async"]] = None,
        X_test: Optional[ArrayLike] = None,
        y_test: Optional[ArrayLike] = None,
        eigenpro: Optional[Mapping[str, Any]] = None,
        chaos: Optional[Mapping[str, Any]] = None,
        workers: Optional[int] = None,
        **options: Any,
    ) -> Job:
        """Kernel regression by EigenPro (``job: kernel-regression``); ``result().predict(X_new)``."""
        data: dict[str, Any] = {"X": X, "y": y}
        if (X_test is None) != (y_test is None):
            raise InputError("give both X_test and y_test, or neither")
        if X_test is not None:
            data.update(Xtest=X_test, ytest=y_test)
        return self._kind("kernel-regression", data, kernel={"name": kernel, "bandwidth": bandwidth}, solver=solver, eigenpro=eigenpro, chaos=chaos, workers=workers, **options)

    # -- the rest -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the connection. Jobs go on on the master; their Job objects stop listening."""
        for j in self._jobs:
            j._close()
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, et: Optional[type[BaseException]], ev: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<coda Client {self.address}>"

    @staticmethod
    def _data(A: Optional[ArrayLike], b: Optional[ArrayLike], synthetic: Optional[Mapping[str, Any]]) -> dict[str, Any]:
        if synthetic is not None:
            if A is not None or b is not None:
                raise InputError("give A and b, or synthetic, not both")
            return {"synthetic": dict(synthetic)}
        if A is None or b is None:
            raise InputError("give A and b (arrays), or synthetic={...} (the seeded generator's settings)")
        return {"A": A, "b": b}

    def _kind(self, kind: str, data: Mapping[str, Any], **fields: Any) -> Job:
        # Python names for the job file's keys (time_budget -> timeBudget); None means the job's default.
        job: dict[str, Any] = {"job": kind, "data": dict(data)}
        job.update({_camel(k): v for k, v in fields.items() if v is not None})
        return self.submit(job)

    def _take_arrays(self, node: Any, path: list[str], out: list[tuple[str, NDArray[np.float64]]]) -> Any:
        """The data with every array replaced by ``upload:NAME`` (NAME its key path below data), the arrays collected."""
        if isinstance(node, Mapping):
            return {k: (v if k == "synthetic" else self._take_arrays(v, [*path, str(k)], out)) for k, v in node.items()}
        if isinstance(node, (np.ndarray, list, tuple)):
            name = ".".join(path)
            out.append((name, as_float64(node, f"data.{name}")))
            return UPLOAD_PREFIX + name
        return node

    def _upload(self, arrays: list[tuple[str, NDArray[np.float64]]]) -> str:
        try:
            reply = self._stub.upload(upload_messages(arrays), timeout=None)
        except grpc.RpcError as e:
            raise rpc_error(e, f"master {self.address}") from None
        return str(reply.upload_id)


def connect(
    address: str = "127.0.0.1:7070",
    *,
    token: Optional[str] = None,
    token_file: Union[str, Path, None] = None,
    tls: Union[TlsOptions, bool, None] = None,
    tls_ca: Optional[PemSource] = None,
    tls_cert: Optional[PemSource] = None,
    tls_key: Optional[PemSource] = None,
    tls_server_name: Optional[str] = None,
    wait: float = 10.0,
    reconnect: float = 300.0,
) -> Client:
    """
    A client of the master at ``address``. The token is ``token``, else ``token_file``'s text,
    else ``$CODA_TOKEN`` (as the CLI). TLS: ``tls_ca`` (the CA that signed the master's
    certificate; ``tls=True`` uses the system's roots), ``tls_cert``/``tls_key`` for a client
    certificate. ``wait``: seconds to wait for the master to accept a connection (a
    :class:`ClusterError` after). ``reconnect``: seconds a running job's stream keeps trying to
    re-attach when the master goes away (it restarted with ``--state``, the network dropped).
    """
    options: Optional[TlsOptions]
    if isinstance(tls, TlsOptions):
        options = tls
    elif tls or tls_ca is not None or tls_cert is not None or tls_key is not None:
        options = TlsOptions(ca=tls_ca, cert=tls_cert, key=tls_key, server_name=tls_server_name)
    else:
        options = None
    return Client(address, token=token, token_file=token_file, tls=options, wait=wait, reconnect=reconnect)
