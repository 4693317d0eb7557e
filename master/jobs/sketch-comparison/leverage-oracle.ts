import { lsGradient } from '../../../shared/kernels';
import type { Rng } from '../../../shared/random';
import { matrix, type Matrix } from '../../../shared/tensor';
import type { GradientOracle } from '../../algorithms/sketching';
import type { ComputeCluster, PlacedPlan } from '../../cluster/types';
import { materializeStoredBlocks } from '../../cluster/placement';
import type { Plan } from '../../schemes';

/**
 * The block-leverage gradient as the leverage scheme produces it, two ways:
 * - simulated: its plan's stored blocks, and its decoder fed in a uniformly random arrival order
 *   (exchangeable arrivals, the paper's model), one order per call shared by the iterates;
 * - cluster: one real round per iterate.
 */
export function simulatedLeverageOracle(plan: Plan, A: Matrix, b: Float64Array, blockStarts: number[], rng: Rng): GradientOracle {
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

export function clusterLeverageOracle(cluster: ComputeCluster, placed: PlacedPlan): (xs: readonly Float64Array[], outs: Float64Array[]) => Promise<void> {
  return async (xs, outs) => {
    for (let i = 0; i < xs.length; i++) {
      const outcome = await cluster.round(placed, { kind: 'lsGradient', x: xs[i]! });
      outs[i]!.set(outcome.decoded.value);
    }
  };
}
