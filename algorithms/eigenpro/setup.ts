import { performance } from 'node:perf_hooks';
import type { KernelFn } from '../../shared/kernels';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import { splitGathered } from './plan';

/**
 * The step of an EigenPro update: `paper` (Theorem 1, independent of the staleness τ),
 * `staleness-aware` (Coda's rule for AsyncEigenPro, shrinking with the observed τ), or fixed.
 */
export type EigenproStepRule = 'paper' | 'staleness-aware' | number;

/** What each worker's setup reported: σ_1..σ_{q+1} of its K(nys, nys), β, and λ_{q+1} = σ_{q+1}/s. */
export interface WorkerPreconditioner {
  sigmas: number[];
  beta: number;
  s: number;
  q: number;
  lambdaNext: number;
}

/** Every worker builds its own preconditioner from a Nyström sample of its own slice, in parallel. */
export async function setupPreconditioners(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  o: { kernel: KernelFn; nystrom: number; q: number; seed: number; sliceLengths: number[] },
): Promise<{ workers: WorkerPreconditioner[]; seconds: number }> {
  const t0 = performance.now();
  const shapes = o.sliceLengths.map((len) => {
    const s = Math.min(o.nystrom, len);
    return { s, q: Math.min(o.q, s - 1) };
  });
  const out = await cluster.round(placed, (slot) => ({
    kind: 'message',
    name: 'eigenproSetup',
    fields: {
      eigenproSetup: { kernel: { name: o.kernel.name, bandwidth: o.kernel.bandwidth }, ownBlock: slot, nystromSize: o.nystrom, topQ: o.q, seed: String(o.seed * 1000 + slot) },
    },
  }));
  const parts = splitGathered(out.decoded.value, shapes.map((sh) => sh.q + 2));
  const workers = parts.map((p, r) => {
    const { s, q } = shapes[r]!;
    const sigmas = Array.from(p.subarray(0, q + 1));
    return { sigmas, beta: p[q + 1]!, s, q, lambdaNext: Math.max(sigmas[q]!, 0) / s };
  });
  return { workers, seconds: (performance.now() - t0) / 1000 };
}
