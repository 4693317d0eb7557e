"""The wire: a channel to the master, its RPCs through grpcio's generic stubs, tensors as bytes.

The messages are protoc's (``_proto``, from proto/coda/v1/master.proto); the RPCs are called by
their method paths with the messages' own serializers, so no gRPC code generator is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Protocol, Sequence, Union, cast

import grpc
import numpy as np
from numpy.typing import NDArray

from ._proto import master_pb2 as pb
from .errors import ERROR_METADATA_KEY, CodaError, InputError, error_from_status

__all__ = ["MasterStub", "TlsOptions", "open_channel", "rpc_error", "upload_messages", "TensorAssembler", "CHUNK_BYTES"]

#: The metadata key carrying the cluster token (shared/wire/credentials.ts). Never logged.
TOKEN_METADATA_KEY = "x-coda-token"

#: Bytes of array data per message: the chunking of placement (shared/wire/chunking.ts).
CHUNK_BYTES = 1 << 20

# As the CLI's channel (shared/wire/server.ts CHANNEL_OPTIONS): room for a chunk and its framing,
# keepalive so a vanished master is noticed within a minute, no retry layer buffering streams.
_CHANNEL_OPTIONS: list[tuple[str, Union[int, str]]] = [
    ("grpc.max_receive_message_length", 64 << 20),
    ("grpc.max_send_message_length", 8 << 20),
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.enable_retries", 0),
]

PemSource = Union[str, Path, bytes]


@dataclass(frozen=True)
class TlsOptions:
    """TLS to the master: the CA that signed its certificate (PEM bytes or a file), and a client certificate if it asks for one."""

    ca: Optional[PemSource] = None
    cert: Optional[PemSource] = None
    key: Optional[PemSource] = None
    #: The name the master's certificate is checked against, when it is not the address's host.
    server_name: Optional[str] = None


def _pem(src: Optional[PemSource], what: str) -> Optional[bytes]:
    if src is None or isinstance(src, bytes):
        return src
    try:
        return Path(src).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read TLS {what} {src}: {e.strerror or e}") from None


def open_channel(address: str, tls: Optional[TlsOptions]) -> grpc.Channel:
    if tls is None:
        return grpc.insecure_channel(address, options=_CHANNEL_OPTIONS)
    creds = grpc.ssl_channel_credentials(root_certificates=_pem(tls.ca, "CA"), private_key=_pem(tls.key, "key"), certificate_chain=_pem(tls.cert, "certificate"))
    options = list(_CHANNEL_OPTIONS)
    if tls.server_name:
        options.append(("grpc.ssl_target_name_override", tls.server_name))
    return grpc.secure_channel(address, creds, options=options)


class MasterStub:
    """The master's RPCs (service coda.v1.Master) on a channel, with the token on every call."""

    def __init__(self, channel: grpc.Channel, token: Optional[str]) -> None:
        self._metadata: tuple[tuple[str, str], ...] = ((TOKEN_METADATA_KEY, token),) if token else ()
        path = "/coda.v1.Master/"
        self._submit = channel.unary_stream(path + "SubmitJob", request_serializer=pb.SubmitJobRequest.SerializeToString, response_deserializer=pb.JobEvent.FromString)
        self._attach = channel.unary_stream(path + "AttachJob", request_serializer=pb.AttachJobRequest.SerializeToString, response_deserializer=pb.JobEvent.FromString)
        self._cancel = channel.unary_unary(path + "CancelJob", request_serializer=pb.CancelJobRequest.SerializeToString, response_deserializer=pb.CancelJobReply.FromString)
        # The upload's messages are serialized by hand (upload_messages): bytes pass through as they are.
        self._upload = channel.stream_unary(path + "UploadArrays", request_serializer=_identity, response_deserializer=pb.UploadReply.FromString)

    def submit(self, request: pb.SubmitJobRequest) -> "EventStream":
        return cast(EventStream, self._submit(request, metadata=self._metadata))

    def attach(self, job_id: str) -> "EventStream":
        return cast(EventStream, self._attach(pb.AttachJobRequest(job_id=job_id), metadata=self._metadata))

    def cancel(self, job_id: str, timeout: float) -> bool:
        reply = cast(pb.CancelJobReply, self._cancel(pb.CancelJobRequest(job_id=job_id), metadata=self._metadata, timeout=timeout))
        return bool(reply.cancelled)

    def upload(self, messages: Iterator[bytes], timeout: Optional[float]) -> pb.UploadReply:
        return cast(pb.UploadReply, self._upload(messages, metadata=self._metadata, timeout=timeout))


class EventStream(Protocol):
    """What a server-streaming call returns: an iterator of events that can be cancelled."""

    def __iter__(self) -> Iterator[pb.JobEvent]: ...

    def __next__(self) -> pb.JobEvent: ...

    def cancel(self) -> bool: ...


def _identity(b: bytes) -> bytes:
    return b


def rpc_error(e: grpc.RpcError, context: str) -> CodaError:
    """A failed call as the error table's class, with the master's one-line message."""
    call = cast(grpc.Call, e)
    class_name: Optional[str] = None
    for key, value in call.trailing_metadata() or ():
        if key == ERROR_METADATA_KEY:
            class_name = value if isinstance(value, str) else value.decode()
    return error_from_status(call.code(), call.details() or "", class_name, context=context)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def upload_messages(arrays: Sequence[tuple[str, NDArray[np.float64]]]) -> Iterator[bytes]:
    """
    The UploadArrays stream for these arrays (each C-contiguous little-endian float64): per array a
    message with its name and shape (the first also with the total), then its bytes in 1 MiB
    messages. The data messages are encoded here (field 3, length-delimited: a tag, a varint and
    the bytes, as protobuf would) so a slice of the array's memory goes out without being copied
    into a message object first; the header messages are protobuf's own.
    """
    total = sum(int(a.nbytes) for _, a in arrays)
    first = True
    for name, a in arrays:
        header = pb.UploadChunk(name=name, shape=[int(d) for d in a.shape])
        if first:
            header.total_bytes = total
            first = False
        yield header.SerializeToString()
        if a.nbytes == 0:
            continue
        view = a.data.cast("B")
        for off in range(0, len(view), CHUNK_BYTES):
            piece = view[off : off + CHUNK_BYTES]
            yield b"\x1a" + _varint(len(piece)) + piece.tobytes()
    if first:
        yield pb.UploadChunk(total_bytes=total).SerializeToString()


class TensorAssembler:
    """Solution tensors from their chunks (TensorChunk events): each allocated once from its shape, filled as chunks arrive."""

    def __init__(self) -> None:
        self.done: dict[str, NDArray[np.float64]] = {}
        self._name: Optional[str] = None
        self._array: Optional[NDArray[np.float64]] = None
        self._bytes: Optional[memoryview] = None
        self._got = 0

    def add(self, c: pb.TensorChunk) -> None:
        if c.first:
            self._check_complete()
            shape = tuple(int(d) for d in c.shape)
            self._name = c.name
            self._array = np.empty(shape, dtype="<f8")
            self._bytes = self._array.data.cast("B") if self._array.size else memoryview(b"")
            self._got = 0
        if self._name != c.name or self._bytes is None or self._array is None:
            raise CodaError(f"tensor {c.name}: a chunk before its first one")
        n = len(c.data)
        if self._got + n > len(self._bytes):
            raise CodaError(f"tensor {c.name}: more bytes than its shape {self._array.shape} holds")
        self._bytes[self._got : self._got + n] = c.data
        self._got += n
        if self._got == len(self._bytes):
            self.done[c.name] = self._array
            self._name, self._array, self._bytes = None, None, None

    def _check_complete(self) -> None:
        if self._name is not None and self._bytes is not None:
            raise CodaError(f"tensor {self._name}: {self._got} of its {len(self._bytes)} bytes arrived")

    def tensors(self) -> dict[str, NDArray[np.float64]]:
        self._check_complete()
        return dict(self.done)


def as_float64(a: object, what: str) -> NDArray[np.float64]:
    """An array-like as C-contiguous little-endian float64 (a copy only when it is not one already)."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{what}: expected real numbers, got an array of dtype {arr.dtype}")
    if arr.ndim not in (1, 2):
        raise InputError(f"{what}: expected a vector or a matrix, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype="<f8")
