import { selectKernels, type Kernels, NATIVE_INSTALL } from '../../shared/kernels';

/**
 * The native kernels for a test, or undefined after a loud line when the addon is not built.
 * CODA_REQUIRE_NATIVE=1 (CI) turns that skip into a failure, like the other CODA_REQUIRE_*.
 */
export function nativeKernelsOrSkip(layer: string): Kernels | undefined {
  const sel = selectKernels({ backend: 'auto', threads: 1 });
  if (sel.kernels.name === 'native') return sel.kernels;
  const msg = `[${layer}] native kernels not loaded (${sel.failure}): native tests SKIPPED. Build them: ${NATIVE_INSTALL}`;
  if (process.env.CODA_REQUIRE_NATIVE === '1') throw new Error(`${msg} (CODA_REQUIRE_NATIVE=1 makes this a failure)`);
  console.warn(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return undefined;
}
