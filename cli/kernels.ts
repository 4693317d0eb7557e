import { InputError } from '../shared/errors';
import { availableCpus, selectKernels, type KernelOptions, type KernelSelection } from '../shared/kernels';

/**
 * The kernel backend of a CLI process, resolved once from flags and environment:
 *   --kernels / CODA_KERNELS   native | js (default: native when the addon loads, else js + a warning)
 *   --threads / CODA_THREADS   OpenBLAS threads, process-wide, set once (default: 1 for a worker
 *                              of a local cluster, which shares the machine with its siblings, and
 *                              for a process of several worker services, one BLAS thread per
 *                              compute thread; otherwise the CPUs this process may use: the
 *                              container's or pod's CPU limit)
 *   CODA_NATIVE_ADDON          another coda_blas.node (packagers, tests)
 */
export interface KernelFlags {
  kernels?: string;
  threads?: string;
}

export function kernelOptionsFrom(flags: KernelFlags, env: NodeJS.ProcessEnv, sharesMachine: boolean): KernelOptions {
  const backend = flags.kernels ?? (env.CODA_KERNELS || 'auto');
  if (backend !== 'native' && backend !== 'js' && backend !== 'auto') throw new InputError(`--kernels / CODA_KERNELS must be native or js, got '${backend}'`);
  const rawThreads = flags.threads ?? (env.CODA_THREADS || undefined);
  let threads: number;
  if (rawThreads === undefined) threads = sharesMachine ? 1 : availableCpus();
  else {
    threads = Number(rawThreads);
    if (!Number.isInteger(threads) || threads < 1) throw new InputError(`--threads / CODA_THREADS must be a positive integer, got '${rawThreads}'`);
  }
  return { backend, threads, ...(env.CODA_NATIVE_ADDON ? { addon: env.CODA_NATIVE_ADDON } : {}) };
}

/** selectKernels, with its warning (if any) as one line on stderr. */
export function openKernels(o: KernelOptions): KernelSelection {
  const sel = selectKernels(o);
  if (sel.warning) process.stderr.write(`${sel.warning}\n`);
  return sel;
}

/** "native (OpenBLAS 0.3.21, 1 thread)" or "js (plain loops)". */
export function describeKernels(sel: KernelSelection): string {
  if (!sel.blas) return `${sel.kernels.name} (plain loops)`;
  const version = /OpenBLAS [\d.]+/.exec(sel.blas.config)?.[0] ?? sel.blas.config.split(' ')[0];
  return `${sel.kernels.name} (${version}, ${sel.blas.threads} thread${sel.blas.threads === 1 ? '' : 's'})`;
}

/** Commands that start worker processes on this machine: they warn here, where the user looks. */
const LOCAL_CLUSTER_COMMANDS = new Set(['demo', 'run', 'up', 'invert', 'experiment']);

/**
 * Before a command that starts a local cluster: the workers' stderr is not the user's terminal,
 * so the fallback warning is printed once here; an explicit CODA_KERNELS=native that cannot load
 * stops the command before any worker starts.
 */
export function checkKernelsBefore(command: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!LOCAL_CLUSTER_COMMANDS.has(command)) return;
  openKernels(kernelOptionsFrom({}, env, true));
}
