import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, ExitCode, fromServiceError, fromStatus, InputError } from '../shared/errors';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, TensorAssembler, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';
import type { JobOutput, JobProgress } from '../master/jobs';

export interface SubmitJobOptions {
  token?: string;
  tls?: TlsFiles;
  onProgress?: (p: JobProgress) => void;
  /** The master's notes while the job waits or runs ("waiting for 4 workers (2 alive)"), and this client's own (reconnecting). */
  onLog?: (line: string) => void;
  /** Aborting cancels the job on the master. */
  signal?: AbortSignal;
  /**
   * Where to write the per-round history the master streams back (history.jsonl, in chunks, so
   * neither side holds it whole); it comes back as JobOutput.history. Absent: it is dropped.
   */
  historyPath?: string;
  /**
   * Wait up to this long for the master to accept a connection before submitting (a submitter
   * started together with its master); 0 or absent: fail at once when it is unreachable.
   */
  waitForMasterSeconds?: number;
  /**
   * Once connected, how long to keep trying when the master becomes unreachable (it restarted,
   * the network dropped): the job is re-attached by its id and its result awaited. 0 or absent:
   * fail at once (exit 3).
   */
  reconnectSeconds?: number;
  /** The job's id (default: a fresh one). A submission retried with the same id attaches to the job it made. */
  jobId?: string;
  /** An upload (uploadArrays) whose arrays the job names as `upload:NAME`. */
  uploadId?: string;
}

/** Answers no retry will change: the job or the caller is wrong, or the master does not know the job. */
const FATAL = new Set<number>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.NOT_FOUND,
  grpc.status.ALREADY_EXISTS,
  grpc.status.UNIMPLEMENTED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.RESOURCE_EXHAUSTED,
]);

/** How one call of SubmitJob or AttachJob ended. */
type Attempt =
  | { type: 'finished'; out: JobOutput<Record<string, unknown>> }
  | { type: 'failed'; message: string; exitCode: number; errorClass?: string }
  | { type: 'refused'; error: grpc.ServiceError }
  | { type: 'cancelled' }
  /** The stream broke (or the master ended it while shutting down): worth re-attaching. */
  | { type: 'lost'; reason: string };

/** A fresh job id for a submission: unique enough that two submitters never pick the same. */
export function newJobId(): string {
  return `run-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/**
 * Runs a job on a running master and resolves with what it produced, as if it had run here:
 * result, tensors, text files and summary. Paths in the job text are the master's. The job runs
 * on the master under an id this client chooses; if the stream breaks (the master restarted with
 * --state, the network dropped), the client reconnects with backoff for up to `reconnectSeconds`
 * and re-attaches (AttachJob) instead of failing, so the job is never run twice.
 * Rejects with InputError when the master refused the job or it failed on bad input, ClusterError
 * when it failed on the cluster or the master stayed away too long; resolves with
 * `{ result: { stoppedBy: 'signal' } }` when `signal` cancelled it (CancelJob).
 */
export async function submitJob(address: string, jobYaml: string, opts: SubmitJobOptions = {}): Promise<JobOutput<Record<string, unknown>>> {
  const { master } = loadProtos();
  const jobId = opts.jobId ?? newJobId();
  const connect = (): pb.MasterClient => new master.coda.v1.Master(address, channelCredentials(opts.tls), CHANNEL_OPTIONS);
  const reconnectMs = (opts.reconnectSeconds ?? 0) * 1000;
  let accepted = false;
  let client: pb.MasterClient;
  const firstWaitMs = (opts.waitForMasterSeconds ?? 0) * 1000;
  if (firstWaitMs > 0) {
    client = await readyClient(connect, Date.now() + firstWaitMs, opts.signal).catch(() => {
      throw new ClusterError(`master ${address} did not accept a connection within ${opts.waitForMasterSeconds} s`);
    });
  } else {
    client = connect();
  }
  for (;;) {
    const attempt = await streamJob(client, address, jobYaml, jobId, accepted, opts, () => (accepted = true));
    client.close();
    switch (attempt.type) {
      case 'finished':
        return attempt.out;
      case 'cancelled':
        return { result: { stoppedBy: 'signal' }, tensors: {}, summary: 'cancelled' };
      case 'failed':
        // The error table's class when the master named it (a ShapeError stays one), else by exit code.
        if (attempt.errorClass) {
          const e = fromStatus(grpc.status.UNKNOWN, attempt.message, attempt.errorClass);
          if (e.exitCode === attempt.exitCode) throw e instanceof ClusterError ? fromStatus(grpc.status.UNKNOWN, `master ${address}: ${attempt.message}`, attempt.errorClass) : e;
        }
        throw attempt.exitCode === ExitCode.badInput ? new InputError(attempt.message) : new ClusterError(`master ${address}: ${attempt.message}`);
      case 'refused': {
        const e = attempt.error;
        if (e.code === grpc.status.NOT_FOUND) throw new ClusterError(`master ${address} lost job ${jobId}: ${e.details}`);
        // The error table: the class the master raised (InputError exit 2, ClusterError exit 3, ...).
        throw fromServiceError(e, `master ${address}`);
      }
      case 'lost': {
        // Reconnecting is for a job the master accepted (it restarted, the network dropped mid-job);
        // a master that never answered is not there: waiting for it is --wait-master's business.
        if (reconnectMs <= 0 || !accepted) throw new ClusterError(`master ${address}: ${attempt.reason}`);
        opts.onLog?.(`lost the master (${attempt.reason}); reconnecting for up to ${opts.reconnectSeconds} s to ${accepted ? `re-attach job ${jobId}` : 'submit again'}`);
        try {
          client = await readyClient(connect, Date.now() + reconnectMs, opts.signal);
        } catch {
          if (opts.signal?.aborted) return { result: { stoppedBy: 'signal' }, tensors: {}, summary: 'cancelled' };
          throw new ClusterError(`master ${address} stayed unreachable for ${opts.reconnectSeconds} s (job ${jobId}: ${attempt.reason})`);
        }
        opts.onLog?.(`reconnected to ${address}`);
      }
    }
  }
}

/**
 * A client whose channel is connected, trying until `deadlineAt`. Each try gets a fresh channel:
 * grpc-js stops re-resolving a name that failed to resolve (a master whose Service or container
 * does not exist yet) while nothing but a connectivity watch is waiting on it.
 */
async function readyClient(connect: () => pb.MasterClient, deadlineAt: number, signal?: AbortSignal): Promise<pb.MasterClient> {
  for (;;) {
    if (signal?.aborted) throw new Error('aborted');
    const client = connect();
    const err = await new Promise<Error | undefined>((resolve) => client.waitForReady(Math.min(deadlineAt, Date.now() + 2000), resolve));
    if (!err) return client;
    client.close();
    if (Date.now() >= deadlineAt) throw err;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One SubmitJob (or, once accepted, AttachJob) call, until it ends one way or another. */
function streamJob(
  client: pb.MasterClient,
  address: string,
  jobYaml: string,
  jobId: string,
  attach: boolean,
  opts: SubmitJobOptions,
  onAccepted: () => void,
): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let outcome: Attempt | undefined;
    const md = tokenMetadata(opts.token);
    const call = attach ? client.attachJob({ jobId }, md) : client.submitJob({ jobYaml, jobId, uploadId: opts.uploadId ?? '' }, md);
    // The solution comes whole in each attempt (the master sends it before `finished`).
    let tensors = new TensorAssembler();
    let cancelling = false;
    // The history comes whole in each attempt (the master sends it before the result): a fresh file each time.
    let history: { fd: number; path: string; rounds: number } | undefined;
    const closeHistory = (): void => {
      if (history) closeSync(history.fd);
      history = undefined;
    };
    const onAbort = (): void => {
      cancelling = true;
      // Ask the master to stop the job, then leave: the job outlives the call otherwise.
      client.cancelJob({ jobId }, tokenMetadata(opts.token), { deadline: Date.now() + 2000 }, () => call.cancel());
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (a: Attempt): void => {
      opts.signal?.removeEventListener('abort', onAbort);
      closeHistory();
      resolve(a);
    };
    call.on('data', (ev: pb.JobEvent__Output) => {
      if (ev.accepted) {
        onAccepted();
        tensors = new TensorAssembler();
      } else if (ev.tensorChunk) {
        try {
          tensors.add(ev.tensorChunk);
        } catch (e) {
          outcome = { type: 'failed', message: `the result of job ${jobId} is malformed: ${(e as Error).message}`, exitCode: ExitCode.cluster };
          call.cancel();
        }
      } else if (ev.progress) {
        opts.onProgress?.({
          round: Number(ev.progress.round),
          maxRounds: 0,
          seconds: ev.progress.elapsedSeconds,
          residual: ev.progress.residual,
          stragglers: ev.progress.stragglers,
        });
      } else if (ev.log) {
        opts.onLog?.(ev.log);
      } else if (ev.fileChunk) {
        if (!opts.historyPath || ev.fileChunk.name !== 'history.jsonl') return;
        history ??= { fd: openSync(opts.historyPath, 'w'), path: opts.historyPath, rounds: 0 };
        writeSync(history.fd, ev.fileChunk.data);
        for (const byte of ev.fileChunk.data) if (byte === 10) history.rounds++;
      } else if (ev.failed) {
        outcome = { type: 'failed', message: ev.failed.message, exitCode: ev.failed.exitCode, ...(ev.failed.errorClass ? { errorClass: ev.failed.errorClass } : {}) };
      } else if (ev.finished) {
        if (outcome) return;
        try {
          outcome = {
            type: 'finished',
            out: {
              result: JSON.parse(ev.finished.resultJson) as Record<string, unknown>,
              tensors: tensors.tensors(),
              files: ev.finished.files,
              summary: ev.finished.summary || `job finished on ${address}`,
              ...(history ? { history: { path: history.path, rounds: history.rounds } } : {}),
            },
          };
        } catch (e) {
          outcome = { type: 'failed', message: `the result of job ${jobId} is malformed: ${(e as Error).message}`, exitCode: ExitCode.cluster };
        }
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (outcome) return settle(outcome);
      if (cancelling || (e.code === grpc.status.CANCELLED && opts.signal?.aborted)) return settle({ type: 'cancelled' });
      if (FATAL.has(e.code)) return settle({ type: 'refused', error: e });
      settle({ type: 'lost', reason: e.details || e.message });
    });
    call.on('end', () => settle(outcome ?? (cancelling ? { type: 'cancelled' } : { type: 'lost', reason: 'the master ended the stream without a result (shutting down)' })));
  });
}
