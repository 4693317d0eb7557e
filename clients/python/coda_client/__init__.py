"""Coda from Python: send numpy arrays to a Coda master, get numpy arrays back.

    import numpy as np, coda_client as coda

    with coda.local(workers=4) as c:                      # or coda.connect("HOST:7070", token=...)
        job = c.least_squares(A, b, scheme={"name": "frc", "stragglers": 1},
                              chaos={"delay": {"dist": "lambda-tail", "base": 0.01}})
        for p in job.progress(): print(p.round, p.residual)
        x = job.result().x

Arrays travel as float64 chunks over the master's UploadArrays stream and the job names them
(``upload:NAME``); results come back as numpy arrays (``Result.arrays``) and result.json as a
dict (``Result.json``). Errors are the master's, raised as :class:`InputError` (bad input, the
CLI's exit 2) or :class:`ClusterError` (the cluster failed, exit 3) and their subclasses.
"""

from ._wire import TlsOptions
from .client import UPLOAD_PREFIX, Client, connect
from .errors import (
    AlreadyExistsError,
    CancelledError,
    ClusterError,
    CodaError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ResourceError,
    ShapeError,
    SingularMatrixError,
    UnauthenticatedError,
    UnsupportedError,
)
from .job import Job
from .local import LocalCluster, find_checkout, local
from .result import KernelModel, Progress, Result

__version__ = "0.1.0"

__all__ = [
    "connect",
    "local",
    "Client",
    "LocalCluster",
    "Job",
    "Result",
    "Progress",
    "KernelModel",
    "TlsOptions",
    "UPLOAD_PREFIX",
    "find_checkout",
    "CodaError",
    "InputError",
    "ShapeError",
    "SingularMatrixError",
    "ResourceError",
    "PermissionDeniedError",
    "UnauthenticatedError",
    "ClusterError",
    "AlreadyExistsError",
    "NotFoundError",
    "UnsupportedError",
    "CancelledError",
]
