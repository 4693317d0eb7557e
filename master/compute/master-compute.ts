import { compiledEntry, inlineLinalg, type AsyncLinalg, type Linalg, type LinalgThreadPool } from '../../shared/linalg';
import { MASTER_THREAD_OPS, type MasterThreadOps } from './thread-ops';

type Rest<F> = F extends (la: AsyncLinalg, ...args: infer A) => unknown ? A : never;

/**
 * The master's array work (thread-ops.ts) as promises: on its compute thread (masterCompute), or
 * inline on the calling thread (inlineMasterCompute: tests, tools, the reference the thread's
 * answers are checked against).
 *
 *   const c = await cluster.compute();
 *   const { train } = await c.logisticProblem(job.data);   // generated on the thread, X shared
 */
export type MasterCompute = { readonly [K in keyof MasterThreadOps]: (...args: Rest<MasterThreadOps[K]>) => Promise<Awaited<ReturnType<MasterThreadOps[K]>>> };

const NAMES = Object.keys(MASTER_THREAD_OPS) as (keyof MasterThreadOps)[];

/** The entry of the master's compute threads (the linalg pool's `entry`): its linear algebra and thread-ops.ts. */
export function masterThreadEntry(): string {
  return compiledEntry(__dirname, 'thread-main.js');
}

/** The operations on `pool`, whose threads were started from masterThreadEntry(). */
export function masterCompute(pool: LinalgThreadPool): MasterCompute {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) out[name] = (...args: unknown[]) => pool.run(name, args);
  return Object.freeze(out) as unknown as MasterCompute;
}

/** The same operations on the calling thread, with `linalg` answered inline. */
export function inlineMasterCompute(linalg: Linalg): MasterCompute {
  const la = inlineLinalg(linalg);
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const fn = MASTER_THREAD_OPS[name] as (la: AsyncLinalg, ...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => new Promise((resolve) => resolve(fn(la, ...args)));
  }
  return Object.freeze(out) as unknown as MasterCompute;
}
