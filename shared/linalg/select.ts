import { InputError } from '../errors';
import { defaultAddonPath, loadBinding, type CodaBlasBinding } from '../kernels/native/binding';
import { NATIVE_INSTALL } from '../kernels/native/select';
import { jsLinalg } from './js-linalg';
import { nativeLinalg } from './native-linalg';
import type { Linalg, LinalgBackendName } from './types';

export interface LinalgChoice {
  /** 'auto' (the default): LAPACK when the addon loads with every routine, else ml-matrix with a warning. */
  backend?: LinalgBackendName | 'auto';
  /** The addon file; default build/Release/coda_blas.node under the package root. */
  addon?: string;
}

export interface LinalgSelection {
  linalg: Linalg;
  /** The addon, when the native backend was chosen (for its BLAS thread count). */
  binding?: CodaBlasBinding;
  /** Each LAPACK routine the native backend uses and whether the library has it (when the addon loaded). */
  routines?: Record<string, boolean>;
  /** Why the native backend is not used, when it was wanted. */
  failure?: string;
  /** One line for stderr when 'auto' fell back. */
  warning?: string;
}

/**
 * Picks the backend as selectKernels does (CODA_KERNELS resolves to `backend` in the CLI): js when
 * asked; otherwise the addon, if it loads and its BLAS library has every LAPACK routine; 'auto'
 * falls back to ml-matrix with a warning naming the install command, an explicit 'native' that
 * cannot load is an InputError. Sets no BLAS thread count (see LinalgThreadOptions.blasThreads).
 */
export function selectLinalg(o: LinalgChoice = {}): LinalgSelection {
  const backend = o.backend ?? 'auto';
  if (backend === 'js') return { linalg: jsLinalg };
  if (backend !== 'native' && backend !== 'auto') throw new InputError(`unknown linear algebra backend '${String(backend)}' (native | js)`);
  let failure: string;
  try {
    const binding = loadBinding(o.addon ?? defaultAddonPath());
    const routines = binding.lapackRoutines();
    const missing = Object.entries(routines)
      .filter(([, has]) => !has)
      .map(([name]) => name);
    if (missing.length === 0) return { linalg: nativeLinalg(binding), binding, routines };
    failure = `the BLAS library lacks LAPACK routines ${missing.join(', ')}`;
    if (backend === 'native') throw new InputError(`native linear algebra was asked for and is not available (${failure})`);
    return { linalg: jsLinalg, routines, failure, warning: `coda: warning: LAPACK unavailable (${failure}); the master's linear algebra uses ml-matrix` };
  } catch (e) {
    if (e instanceof InputError) throw e;
    failure = (e as Error).message;
  }
  if (backend === 'native') throw new InputError(`native linear algebra was asked for and does not load (${failure}). Build it: ${NATIVE_INSTALL}`);
  return { linalg: jsLinalg, failure, warning: `coda: warning: LAPACK unavailable (${failure}); the master's linear algebra uses ml-matrix. Build it: ${NATIVE_INSTALL}` };
}
