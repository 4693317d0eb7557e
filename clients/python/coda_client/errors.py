"""Coda's error classes, as the master's error table (shared/errors/status.ts) has them.

A refusal or failure comes back from the master as a gRPC status (or a failed job's event) with
the class name in trailing metadata; it is raised here as the same class, its message the
master's one line. Catch :class:`InputError` for what the caller must fix (the CLI's exit 2) and
:class:`ClusterError` for what the cluster could not do (exit 3).
"""

from __future__ import annotations

from typing import Optional

import grpc

__all__ = [
    "CodaError",
    "InputError",
    "ShapeError",
    "SingularMatrixError",
    "NotPositiveDefiniteError",
    "ConvergenceError",
    "ResourceError",
    "PermissionDeniedError",
    "UnauthenticatedError",
    "ClusterError",
    "AlreadyExistsError",
    "NotFoundError",
    "UnsupportedError",
    "CancelledError",
    "error_from_status",
    "error_from_class",
]

#: Trailing metadata key that carries the error's class name.
ERROR_METADATA_KEY = "x-coda-error"


class CodaError(Exception):
    """Any error from Coda. ``exit_code`` is what the ``coda`` CLI would exit with."""

    exit_code: int = 1

    def __init__(self, message: str, *, status: Optional[grpc.StatusCode] = None) -> None:
        super().__init__(message)
        self.message = message
        #: The gRPC status the error came with (None for a failed job's event or a local check).
        self.status = status


class InputError(CodaError, ValueError):
    """Bad input: a bad job key, mismatched shapes, NaN, a parameter the scheme cannot use (exit 2)."""

    exit_code = 2


class ShapeError(InputError):
    """Shapes that do not fit together."""


class SingularMatrixError(InputError):
    """A singular or rank-deficient matrix where an inverse or a full-rank solve is asked."""


class NotPositiveDefiniteError(SingularMatrixError):
    """A matrix that should be symmetric positive definite is not (a Cholesky factorization failed)."""


class ConvergenceError(CodaError):
    """An iterative LAPACK routine (eigen or singular values) did not converge (the CLI's internal-error exit)."""


class ResourceError(InputError):
    """More than the master takes: an upload over its limit, a problem larger than its memory."""


class PermissionDeniedError(InputError):
    """Not allowed: a data path outside the master's data root (``PermissionError`` on the wire)."""


class UnauthenticatedError(InputError):
    """A missing or wrong cluster token."""


class ClusterError(CodaError, RuntimeError):
    """The cluster could not do the work: no workers, every holder of a block lost, the master unreachable (exit 3)."""

    exit_code = 3


class AlreadyExistsError(ClusterError):
    """What is asked for exists already."""


class NotFoundError(ClusterError):
    """What was asked for is not held by the master (a job id it does not know)."""


class UnsupportedError(ClusterError):
    """The master does not know what was asked: versions that do not match."""


class CancelledError(CodaError):
    """A job or call was cancelled."""

    exit_code = 130


# The master's class names (shared/errors/classes.ts) -> ours.
_BY_NAME: dict[str, type[CodaError]] = {
    "ShapeError": ShapeError,
    "SingularMatrixError": SingularMatrixError,
    "NotPositiveDefiniteError": NotPositiveDefiniteError,
    "ConvergenceError": ConvergenceError,
    "ResourceError": ResourceError,
    "PermissionError": PermissionDeniedError,
    "UnauthenticatedError": UnauthenticatedError,
    "InputError": InputError,
    "AlreadyExistsError": AlreadyExistsError,
    "NotFoundError": NotFoundError,
    "UnsupportedError": UnsupportedError,
    "ClusterError": ClusterError,
    "CancelledError": CancelledError,
}

# Status codes without a class name: what the other side's failure means here (status.ts BY_CODE).
_BY_CODE: dict[grpc.StatusCode, type[CodaError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InputError,
    grpc.StatusCode.FAILED_PRECONDITION: InputError,
    grpc.StatusCode.OUT_OF_RANGE: InputError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.UNIMPLEMENTED: UnsupportedError,
    grpc.StatusCode.CANCELLED: CancelledError,
}


def error_from_class(name: str, message: str, *, exit_code: Optional[int] = None, context: str = "") -> CodaError:
    """A failed job's event as the table's class: by its class name, else by its exit code."""
    cls = _BY_NAME.get(name)
    if cls is None or (exit_code is not None and cls.exit_code != exit_code):
        cls = InputError if exit_code == 2 else ClusterError if exit_code == 3 else CodaError
    return cls(f"{context}: {message}" if context and issubclass(cls, ClusterError) else message)


def error_from_status(code: grpc.StatusCode, details: str, class_name: Optional[str] = None, *, context: str = "") -> CodaError:
    """A failed call as the table's class; cluster failures are prefixed with ``context`` (the master's address)."""
    cls = (_BY_NAME.get(class_name) if class_name else None) or _BY_CODE.get(code) or ClusterError
    text = details or code.name
    return cls(f"{context}: {text}" if context and issubclass(cls, ClusterError) else text, status=code)
