import { closeSync, openSync, writeSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, fromServiceError } from '../../shared/errors';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tensorValues, tokenMetadata, type TlsFiles, type pb } from '../../shared/wire';
import type { JobOutput, JobProgress } from '../jobs';

export interface SubmitJobOptions {
  token?: string;
  tls?: TlsFiles;
  onProgress?: (p: JobProgress) => void;
  /** The master's notes while the job waits or runs ("waiting for 4 workers (2 alive)"). */
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
}

/**
 * Runs a job on a running master (SubmitJob) and resolves with what it produced, as if it had run
 * here: result, tensors, text files and summary. Paths in the job text are the master's.
 * Rejects with the error table's class (InputError when the master refused the job, ClusterError
 * when it failed it or could not be reached), and
 * resolves with `{ result: { stoppedBy: 'signal' } }` when `signal` cancelled it.
 */
export function submitJob(address: string, jobYaml: string, opts: SubmitJobOptions = {}): Promise<JobOutput<Record<string, unknown>>> {
  const { master } = loadProtos();
  const waitMs = (opts.waitForMasterSeconds ?? 0) * 1000;
  const connect = (): pb.MasterClient => new master.coda.v1.Master(address, channelCredentials(opts.tls), CHANNEL_OPTIONS);
  if (waitMs <= 0) return streamJob(connect(), address, jobYaml, opts);
  return readyClient(connect, Date.now() + waitMs).then(
    (client) => streamJob(client, address, jobYaml, opts),
    () => {
      throw new ClusterError(`master ${address} did not accept a connection within ${opts.waitForMasterSeconds} s`);
    },
  );
}

/**
 * A client whose channel is connected, trying until `deadlineAt`. Each try gets a fresh channel:
 * grpc-js stops re-resolving a name that failed to resolve (a master whose Service or container
 * does not exist yet) while nothing but a connectivity watch is waiting on it.
 */
async function readyClient(connect: () => pb.MasterClient, deadlineAt: number): Promise<pb.MasterClient> {
  for (;;) {
    const client = connect();
    const err = await new Promise<Error | undefined>((resolve) => client.waitForReady(Math.min(deadlineAt, Date.now() + 2000), resolve));
    if (!err) return client;
    client.close();
    if (Date.now() >= deadlineAt) throw err;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function streamJob(client: pb.MasterClient, address: string, jobYaml: string, opts: SubmitJobOptions): Promise<JobOutput<Record<string, unknown>>> {
  return new Promise<JobOutput<Record<string, unknown>>>((resolve, reject) => {
    let out: JobOutput<Record<string, unknown>> | undefined;
    let history: { fd: number; path: string; rounds: number } | undefined;
    const closeHistory = (): void => {
      if (history) closeSync(history.fd);
    };
    const call = client.submitJob({ jobYaml }, tokenMetadata(opts.token));
    const onAbort = (): void => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      opts.signal?.removeEventListener('abort', onAbort);
      closeHistory();
      client.close();
    };
    call.on('data', (ev: pb.JobEvent__Output) => {
      if (ev.progress) {
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
      } else if (ev.finished) {
        const tensors: JobOutput['tensors'] = {};
        for (const [name, t] of Object.entries(ev.finished.outputs)) tensors[name] = { shape: t.shape, values: tensorValues(t, name) };
        out = {
          result: JSON.parse(ev.finished.resultJson) as Record<string, unknown>,
          tensors,
          files: ev.finished.files,
          summary: ev.finished.summary || `job finished on ${address}`,
          ...(history ? { history: { path: history.path, rounds: history.rounds } } : {}),
        };
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      done();
      if (e.code === grpc.status.CANCELLED && opts.signal?.aborted) resolve({ result: { stoppedBy: 'signal' }, tensors: {}, summary: 'cancelled' });
      else reject(fromServiceError(e, `master ${address}`));
    });
    call.on('end', () => {
      done();
      if (out) resolve(out);
      else reject(new ClusterError(`master ${address} ended the job without a result`));
    });
  });
}
