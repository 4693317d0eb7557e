"""A job running on a master: its progress as it comes, then its result or its error."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Iterator, Optional, Union

import grpc

from ._proto import master_pb2 as pb
from ._wire import EventStream, TensorAssembler, rpc_error
from .errors import CancelledError, ClusterError, CodaError, error_from_class
from .result import Progress, Result

if TYPE_CHECKING:
    from .client import Client

__all__ = ["Job"]

# Answers no retry changes (as master/client/submit-job.ts FATAL): the job or the caller is wrong.
_FATAL = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}

_POLL = 0.25

#: The master's notes on a job ("waiting up to 300 s for 8 workers (4 alive)") are logged here at INFO.
log = logging.getLogger("coda_client")


class Job:
    """
    A submitted job. One thread of the client's reads its event stream (SubmitJob, or AttachJob
    after a lost connection); ``progress()`` yields the reports as they come, ``result()`` waits
    for the end and returns the :class:`Result` or raises the master's error. The job runs on the
    master whether or not anyone listens: leaving the client does not stop it, ``cancel()`` does.
    """

    def __init__(self, client: "Client", job_id: str, request: Optional[pb.SubmitJobRequest], reconnect_seconds: float) -> None:
        self.id = job_id
        self._client = client
        self._request = request
        self._reconnect = reconnect_seconds
        self._cond = threading.Condition()
        self._accepted = False
        self._progress: list[Progress] = []
        self._logs: list[str] = []
        self._outcome: Union[Result, CodaError, None] = None
        self._stream: Optional[EventStream] = None
        self._closing = False
        self._thread = threading.Thread(target=self._read, name=f"coda-job-{job_id}", daemon=True)
        self._thread.start()

    # -- what a caller uses --------------------------------------------------------------------

    def progress(self, timeout: Optional[float] = None) -> Iterator[Progress]:
        """Every progress report from the job's start, as it arrives, until the job ends (then returns; ``result()`` tells how)."""
        i = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._cond:
                while i >= len(self._progress) and self._outcome is None:
                    self._wait(deadline)
                batch = self._progress[i:]
                ended = self._outcome is not None
            for p in batch:
                yield p
            i += len(batch)
            if ended and i >= len(self._progress):
                return

    def result(self, timeout: Optional[float] = None) -> Result:
        """Waits for the job to end; its Result, or the master's error raised as its class. Ctrl-C cancels the job."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with self._cond:
                while self._outcome is None:
                    self._wait(deadline)
                outcome = self._outcome
        except KeyboardInterrupt:
            self.cancel()
            raise
        if isinstance(outcome, CodaError):
            raise outcome
        return outcome

    def exception(self, timeout: Optional[float] = None) -> Optional[CodaError]:
        """The error the job ended with, None when it finished."""
        try:
            self.result(timeout)
        except CodaError as e:
            return e
        return None

    def done(self) -> bool:
        with self._cond:
            return self._outcome is not None

    @property
    def logs(self) -> list[str]:
        """The master's notes on the job so far ("waiting for 4 workers (2 alive)", "queued ...")."""
        with self._cond:
            return list(self._logs)

    def cancel(self) -> bool:
        """Stops the job on the master (it ends with stoppedBy 'signal'); False when it had already ended."""
        try:
            return self._client._stub.cancel(self.id, timeout=10.0)
        except grpc.RpcError as e:
            raise rpc_error(e, f"master {self._client.address}") from None

    def __repr__(self) -> str:
        state = "running" if self._outcome is None else "failed" if isinstance(self._outcome, CodaError) else "finished"
        return f"<coda Job {self.id} {state}>"

    # -- the reader ------------------------------------------------------------------------------

    def _wait(self, deadline: Optional[float]) -> None:
        left = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
        if left <= 0:
            raise TimeoutError(f"job {self.id} has not ended yet")
        self._cond.wait(left)

    def wait_accepted(self, timeout: float) -> None:
        """Blocks until the master accepted the job or refused it (raising the refusal)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._accepted and self._outcome is None:
                if time.monotonic() > deadline:
                    raise ClusterError(f"master {self._client.address} did not accept job {self.id} within {timeout} s")
                self._cond.wait(_POLL)
            outcome = self._outcome
        if isinstance(outcome, CodaError) and not self._accepted:
            raise outcome

    def _close(self) -> None:
        """The client is closing: stop listening (the job goes on on the master)."""
        self._closing = True
        stream = self._stream
        if stream is not None:
            stream.cancel()

    def _end(self, outcome: Union[Result, CodaError]) -> None:
        with self._cond:
            if self._outcome is None:
                self._outcome = outcome
            self._cond.notify_all()

    def _read(self) -> None:
        attach = self._request is None
        give_up_at: Optional[float] = None
        address = self._client.address
        while True:
            lost = self._listen(attach)
            if lost is None or self.done():
                return
            if self._closing:
                return self._end(ClusterError(f"the client stopped listening to job {self.id} (it goes on on the master: Client.attach('{self.id}'))"))
            # Re-attaching is for a job the master accepted (it restarted, the network dropped).
            if not self._accepted or self._reconnect <= 0:
                return self._end(ClusterError(f"master {address}: {lost}"))
            if give_up_at is None:
                give_up_at = time.monotonic() + self._reconnect
                with self._cond:
                    self._logs.append(f"lost the master ({lost}); reconnecting for up to {self._reconnect:g} s to re-attach job {self.id}")
            if time.monotonic() > give_up_at:
                return self._end(ClusterError(f"master {address} stayed unreachable for {self._reconnect:g} s (job {self.id}: {lost})"))
            time.sleep(0.5)
            attach = True

    def _listen(self, attach: bool) -> Optional[str]:
        """One SubmitJob / AttachJob call: None once the job's outcome is known, else why the stream was lost."""
        stub = self._client._stub
        tensors = TensorAssembler()
        history = bytearray()
        try:
            stream = stub.attach(self.id) if attach else stub.submit(self._request)  # type: ignore[arg-type]
            self._stream = stream
            for ev in stream:
                kind = ev.WhichOneof("event")
                if kind == "accepted":
                    tensors, history = TensorAssembler(), bytearray()
                    with self._cond:
                        self._accepted = True
                        self._cond.notify_all()
                elif kind == "progress":
                    p = ev.progress
                    with self._cond:
                        self._progress.append(Progress(round=int(p.round), elapsed=p.elapsed_seconds, residual=p.residual, stragglers=int(p.stragglers)))
                        self._cond.notify_all()
                elif kind == "log":
                    log.info("job %s: %s", self.id, ev.log)
                    with self._cond:
                        self._logs.append(ev.log)
                elif kind == "tensor_chunk":
                    tensors.add(ev.tensor_chunk)
                elif kind == "file_chunk":
                    if ev.file_chunk.name == "history.jsonl":
                        history += ev.file_chunk.data
                elif kind == "failed":
                    f = ev.failed
                    self._end(error_from_class(f.error_class, f.message, exit_code=f.exit_code, context=f"master {self._client.address}"))
                elif kind == "finished":
                    f2 = ev.finished
                    arrays = {name[:-4] if name.endswith(".npy") else name: a for name, a in tensors.tensors().items()}
                    self._end(Result(job_id=self.id, json=json.loads(f2.result_json), arrays=arrays, files=dict(f2.files), summary=f2.summary, history_jsonl=bytes(history)))
            return None if self.done() else "the master ended the stream without a result (shutting down)"
        except grpc.RpcError as e:
            if self.done():
                return None
            code = e.code()
            if self._closing and code == grpc.StatusCode.CANCELLED:
                return "cancelled"
            if code in _FATAL:
                err = rpc_error(e, f"master {self._client.address}")
                if code == grpc.StatusCode.NOT_FOUND and attach:
                    err = ClusterError(f"master {self._client.address} lost job {self.id}: {err.message}")
                self._end(err)
                return None
            if code == grpc.StatusCode.CANCELLED and not self._closing:
                self._end(CancelledError(f"job {self.id}: the call was cancelled"))
                return None
            return str(e.details() or code.name)
        except CodaError as e:
            self._end(ClusterError(f"the result of job {self.id} is malformed: {e.message}"))
            return None
        finally:
            self._stream = None
