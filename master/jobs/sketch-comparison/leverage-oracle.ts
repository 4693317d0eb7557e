import { lsGradient } from '../../../shared/kernels';
import type { Rng } from '../../../shared/random';
import { matrix, type Matrix } from '../../../shared/tensor';
import type { BatchGradientOracle } from '../../../core/sketching';
import type { ComputeCluster, PlacedPlan } from '../../../algorithms/compute-cluster';
import { materializeStoredBlocks } from '../../../core/schemes/placement';
import type { Plan } from '../../../core/schemes';

/**
 * The block-leverage gradient as the leverage scheme produces it, two ways:
 * - simulated: its plan's stored blocks, and its decoder fed in a uniformly random arrival order
 *   (exchangeable arrivals, the paper's model), one order per call shared by the iterates;
 * - cluster: one real round per iteration, all step sizes' iterates stacked in its tasks (the same
 *   arrivals serve every step size, as in the simulated mode).
 */
export function simulatedLeverageOracle(plan: Plan, A: Matrix, b: Float64Array, blockStarts: number[], rng: Rng): BatchGradientOracle {
  const stored = materializeStoredBlocks(plan, { A, b, blockStarts }).map((blk) => ({ A: matrix(blk.rows, blk.cols, blk.data), b: blk.rhs! }));
  const d = A.cols;
  return (xs, outs) => {
    const order = rng.permutation(plan.slots.length);
    xs.forEach((x, i) => {
      const dec = plan.decoder();
      for (const s of order) {
        const slot = plan.slots[s]!;
        const v = new Float64Array(d);
        for (const { stored: id, weight } of slot.blocks) lsGradient(stored[id]!.A, stored[id]!.b, x, v, weight, true);
        if (dec.add(s, v)) break;
      }
      outs[i]!.set(dec.decode().value);
    });
  };
}

/** One real round per iteration: the iterates of every step size travel stacked in one task. */
export function clusterLeverageOracle(cluster: ComputeCluster, placed: PlacedPlan): (xs: readonly Float64Array[], outs: Float64Array[]) => Promise<void> {
  return async (xs, outs) => {
    const d = xs[0]!.length;
    const stacked = new Float64Array(xs.length * d);
    xs.forEach((x, i) => stacked.set(x, i * d));
    const outcome = await cluster.round(placed, { kind: 'lsGradient', x: stacked, points: xs.length });
    outs.forEach((o, i) => o.set(outcome.decoded.value.subarray(i * d, (i + 1) * d)));
  };
}
