import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { ClusterError, InputError } from '../shared/errors';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';
import type { RunExecutor } from './runner';

/**
 * Runs each job on a running master by address (SubmitJob), streaming its progress back. The
 * master runs every job on all its workers: the matrix's worker count must be the master's.
 */
export function remoteExecutor(address: string, opts: { token?: string; tls?: TlsFiles } = {}): RunExecutor {
  const { master } = loadProtos();
  const client = new master.coda.v1.Master(address, channelCredentials(opts.tls), CHANNEL_OPTIONS);
  return {
    run(run, { onProgress, signal }) {
      // The job as written (relative data paths): the master resolves them against its own folder.
      const { out: _out, master: _m, ...job } = run.input;
      return new Promise((resolve, reject) => {
        let result: Record<string, unknown> | undefined;
        const call = client.submitJob({ jobYaml: stringify(job) }, tokenMetadata(opts.token));
        const onAbort = (): void => call.cancel();
        signal?.addEventListener('abort', onAbort, { once: true });
        call.on('data', (ev: pb.JobEvent__Output) => {
          if (ev.progress) {
            onProgress?.({ round: Number(ev.progress.round), maxRounds: run.job.stop.maxRounds, seconds: ev.progress.elapsedSeconds, residual: ev.progress.residual, stragglers: ev.progress.stragglers });
          } else if (ev.finished) {
            result = JSON.parse(ev.finished.resultJson) as Record<string, unknown>;
          }
        });
        call.on('error', (e: grpc.ServiceError) => {
          signal?.removeEventListener('abort', onAbort);
          if (e.code === grpc.status.CANCELLED && signal?.aborted) resolve({ stoppedBy: 'signal' });
          else reject(e.code === grpc.status.INVALID_ARGUMENT ? new InputError(`run ${run.id}: ${e.details}`) : new ClusterError(`master ${address}, run ${run.id}: ${e.details || e.message}`));
        });
        call.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          if (!result) return reject(new ClusterError(`master ${address} ended run ${run.id} without a result`));
          if (typeof result.workers === 'number' && result.workers !== run.params.workers) {
            return reject(new InputError(`run ${run.id}: the master at ${address} ran it on ${result.workers} workers, the matrix says ${run.params.workers}; set matrix.workers to [${result.workers}]`));
          }
          resolve(result);
        });
      });
    },
    async close() {
      client.close();
    },
  };
}
