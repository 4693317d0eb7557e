import { LINALG_OPS, type AsyncLinalg, type Linalg } from './types';

/**
 * A Linalg answered as promises on the calling thread: the AsyncLinalg the algorithms take,
 * where no compute thread is wanted (unit tests, tools, a small reference). A job on the master
 * uses the thread pool instead, so its event loop never factors.
 *
 *   const la = inlineLinalg(selectLinalg({ backend: 'js' }).linalg);
 *   const { x } = await la.lstsq(A, b);
 */
export function inlineLinalg(linalg: Linalg): AsyncLinalg {
  const out: Record<string, unknown> = { name: linalg.name };
  for (const op of LINALG_OPS) {
    const fn = linalg[op] as (...args: unknown[]) => unknown;
    // A thrown error becomes a rejection, as on a thread.
    out[op] = (...args: unknown[]) => new Promise((resolve) => resolve(fn(...args)));
  }
  return Object.freeze(out) as unknown as AsyncLinalg;
}
