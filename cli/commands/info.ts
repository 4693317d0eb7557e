import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { availableCpus } from '../../shared/kernels';
import { selectLinalg } from '../../shared/linalg';
import { kernelOptionsFrom, openKernels } from '../kernels';

/**
 * `coda info`: what this machine's Coda computes with: the kernel backend (native OpenBLAS or the
 * plain JS loops, and why not native), the BLAS library and its thread count, resolved exactly as
 * `coda worker` resolves them (same flags, same environment); and whether the library has the
 * LAPACK routines the master's linear algebra needs (else the master uses ml-matrix).
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
      // The master's linear algebra: LAPACK from the same addon, unless the plain backend was chosen.
      const lin = selectLinalg({ backend: 'auto', addon: sel.addon });
      const routines = lin.routines ?? null;
      const missing = routines ? Object.keys(routines).filter((r) => !routines[r]) : [];
      const lapack = {
        present: routines !== null && missing.length === 0,
        routines,
        ...(lin.failure ? { unavailable: lin.failure } : {}),
      };
      const linalg = sel.kernels.name === 'js' && !sel.failure ? 'js' : lin.linalg.name;
      const info = {
        backend: sel.kernels.name,
        addon: sel.addon,
        ...(sel.failure ? { nativeUnavailable: sel.failure } : {}),
        blas: sel.blas ? { library: sel.blas.library, config: sel.blas.config, core: sel.blas.corename, threads: sel.blas.threads } : null,
        lapack,
        linalg,
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
        `LAPACK:   ${
          lapack.present ? `present (${Object.keys(routines!).join(' ')})` : routines ? `incomplete: no ${missing.join(', ')}` : `none (${lin.failure ?? 'addon not loaded'})`
        }`,
        `linalg:   ${linalg === 'native' ? 'native (LAPACK)' : 'js (ml-matrix)'}`,
        `node:     ${info.node}`,
        `cpus:     ${info.cpus.available} available to this process (${info.cpus.machine} on the machine)`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
