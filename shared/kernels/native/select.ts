import { realpathSync } from 'node:fs';
import { InputError } from '../../errors';
import { jsKernels, type KernelBackendName, type Kernels } from '../backend';
import { defaultAddonPath, loadBinding } from './binding';
import { nativeKernels } from './native-kernels';

/** How to build the addon where it did not load: named in every warning. */
export const NATIVE_INSTALL = 'apt-get install -y libopenblas-dev && npm run build:native';

/** The backend a process asked for, resolved once from flags and environment (the CLI does it). */
export interface KernelOptions {
  /** 'auto' (the default): native when the addon loads, else the plain loops with a warning. */
  backend: KernelBackendName | 'auto';
  /** BLAS threads for this process (OpenBLAS is process-wide). */
  threads: number;
  /** The addon file; default build/Release/coda_blas.node under the package root. */
  addon?: string;
}

export interface BlasInfo {
  /** The shared library BLAS calls go to, symlinks resolved. */
  library: string;
  /** openblas_get_config(): version and build options. */
  config: string;
  corename: string;
  threads: number;
}

export interface KernelSelection {
  kernels: Kernels;
  /** Present when the native backend was wanted and did not load: one line for stderr. */
  warning?: string;
  /** Why the native backend did not load. */
  failure?: string;
  blas?: BlasInfo;
  addon: string;
}

/** glibc's own default: what it raises the threshold from, and what it is kept at here. */
const MALLOC_MMAP_THRESHOLD_BYTES = 128 << 10;

/**
 * Picks the kernels: the plain loops when asked, otherwise the native backend if its addon loads
 * (with `threads` BLAS threads). 'auto' falls back to the plain loops with a warning that names
 * the install command; an explicit 'native' that cannot load is an InputError.
 */
export function selectKernels(o: KernelOptions): KernelSelection {
  const addon = o.addon ?? defaultAddonPath();
  if (o.backend === 'js') return { kernels: jsKernels, addon };
  if (o.backend !== 'native' && o.backend !== 'auto') throw new InputError(`unknown kernel backend '${String(o.backend)}' (native | js)`);
  if (!(Number.isInteger(o.threads) && o.threads >= 1)) throw new InputError(`BLAS threads must be a positive integer, got ${o.threads}`);
  try {
    const binding = loadBinding(addon);
    binding.setThreads(o.threads);
    // Tensors of 128 KiB and up are mmapped, so their memory goes back when freed (see the addon).
    binding.pinMallocThreshold(MALLOC_MMAP_THRESHOLD_BYTES);
    const info = binding.blasInfo();
    let library = info.library;
    try {
      library = realpathSync(info.library);
    } catch {
      // keep the name the loader reported
    }
    return { kernels: nativeKernels(binding), addon, blas: { ...info, library } };
  } catch (e) {
    const failure = (e as Error).message;
    if (o.backend === 'native') throw new InputError(`native kernels were asked for and do not load (${failure}). Build them: ${NATIVE_INSTALL}`);
    const warning = `coda: warning: native kernels unavailable (${failure}); using the plain JS kernels. Build them: ${NATIVE_INSTALL}`;
    return { kernels: jsKernels, addon, warning, failure };
  }
}
