import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { availableCpus } from '../../shared/kernels';
import { kernelOptionsFrom, openKernels } from '../kernels';

/**
 * `coda info`: what this machine's Coda computes with: the kernel backend (native OpenBLAS or the
 * plain JS loops, and why not native), the BLAS library and its thread count, resolved exactly as
 * `coda worker` resolves them (same flags, same environment).
 */
export function infoCommand(): Command {
  return new Command('info')
    .description('print the kernel backend, the BLAS library and its thread count, as a worker here would use them')
    .option('--kernels <backend>', 'native or js (default: $CODA_KERNELS, else native when built)')
    .option('--threads <n>', 'BLAS threads (default: $CODA_THREADS, else the CPUs this process may use)')
    .option('--local-worker', 'resolve as a worker of a local cluster does (1 BLAS thread by default)')
    .option('--json', 'one JSON object instead of lines')
    .action((o: { kernels?: string; threads?: string; localWorker?: boolean; json?: boolean }) => {
      const sel = openKernels(kernelOptionsFrom({ ...(o.kernels ? { kernels: o.kernels } : {}), ...(o.threads ? { threads: o.threads } : {}) }, process.env, o.localWorker === true));
      const info = {
        backend: sel.kernels.name,
        addon: sel.addon,
        ...(sel.failure ? { nativeUnavailable: sel.failure } : {}),
        blas: sel.blas ? { library: sel.blas.library, config: sel.blas.config, core: sel.blas.corename, threads: sel.blas.threads } : null,
        node: process.version,
        cpus: { available: availableCpus(), machine: availableParallelism() },
      };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(info)}\n`);
        return;
      }
      const lines = [
        `kernels:  ${info.backend}${sel.blas ? '' : ' (plain loops)'}`,
        `addon:    ${info.addon}${sel.blas ? '' : sel.failure ? ` (not loaded: ${sel.failure})` : ' (not used)'}`,
        `BLAS:     ${sel.blas ? sel.blas.config : 'none'}`,
        ...(sel.blas ? [`library:  ${sel.blas.library}`, `threads:  ${sel.blas.threads}`] : []),
        `node:     ${info.node}`,
        `cpus:     ${info.cpus.available} available to this process (${info.cpus.machine} on the machine)`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
