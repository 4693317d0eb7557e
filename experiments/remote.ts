import { stringify } from 'yaml';
import { InputError } from '../shared/errors';
import type { TlsFiles } from '../shared/wire';
import { newJobId, submitJob } from '../client';
import type { RunExecutor } from './runner';

/**
 * Runs each job on a running master by address (SubmitJob), streaming its progress back. The
 * master runs every job on all its workers: the matrix's worker count must be the master's.
 */
export function remoteExecutor(address: string, opts: { token?: string; tls?: TlsFiles; reconnectSeconds?: number } = {}): RunExecutor {
  return {
    async run(run, { onProgress, signal }) {
      // The job as written (relative data paths): the master resolves them against its own folder.
      const { out: _out, master: _m, ...job } = run.input;
      // The run's id names the job on the master: a run whose master restarted is re-attached by it.
      const { result } = await submitJob(address, stringify(job), {
        ...opts,
        jobId: `exp-${run.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 36)}-${newJobId().slice(4)}`,
        // Only the client's own notes on losing and finding the master: the progress display has the rest.
        onLog: (line: string) => /^(lost the master|reconnected)/.test(line) && process.stderr.write(`master ${address}: ${line}\n`),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress: (p) => onProgress({ ...p, maxRounds: run.job.stop.maxRounds }) } : {}),
      }).catch((e: unknown) => {
        throw e instanceof Error ? Object.assign(e, { message: `run ${run.id}: ${e.message}` }) : e;
      });
      if (typeof result.workers === 'number' && result.workers !== run.params.workers) {
        throw new InputError(`run ${run.id}: the master at ${address} ran it on ${result.workers} workers, the matrix says ${run.params.workers}; set matrix.workers to [${result.workers}]`);
      }
      return result;
    },
    async close() {},
  };
}
