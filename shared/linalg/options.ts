import { InputError } from '../errors';
import type { LinalgThreadOptions } from './thread/linalg-thread';

/**
 * The master's compute-thread options from flags and environment, resolved once where the
 * process starts (nothing deeper reads the environment):
 *   --kernels / CODA_KERNELS   native | js (default: native when the addon loads, else ml-matrix + a warning)
 *   --threads / CODA_THREADS   OpenBLAS threads for the process (default 1: the master shares the
 *                              machine with local workers, and one BLAS thread per compute thread
 *                              keeps the sum at the cores; a master with a machine or pod of its
 *                              own sets CODA_THREADS to its CPUs)
 *   CODA_NATIVE_ADDON          another coda_blas.node
 * One compute thread: the master factors one matrix at a time.
 */
export function resolveLinalgThreadOptions(flags: { kernels?: string; threads?: string }, env: NodeJS.ProcessEnv): LinalgThreadOptions {
  const backend = flags.kernels ?? (env.CODA_KERNELS || 'auto');
  if (backend !== 'native' && backend !== 'js' && backend !== 'auto') throw new InputError(`--kernels / CODA_KERNELS must be native or js, got '${backend}'`);
  const raw = flags.threads ?? (env.CODA_THREADS || undefined);
  const blasThreads = raw === undefined ? 1 : Number(raw);
  if (!Number.isInteger(blasThreads) || blasThreads < 1) throw new InputError(`--threads / CODA_THREADS must be a positive integer, got '${raw}'`);
  return { backend, blasThreads, threads: 1, ...(env.CODA_NATIVE_ADDON ? { addon: env.CODA_NATIVE_ADDON } : {}) };
}
