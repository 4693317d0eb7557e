import { sketchSeed } from '../../shared/kernels';
import { float64ToBytes } from '../../shared/tensor';
import type { ComputeCluster, PlacedPlan, RoundOutcome } from '../compute-cluster';
import { oversketchSlots, type OversketchShape } from '../../core/schemes';

/**
 * The two ways the Newton solvers get ∇²f = (1/n) Xᵀdiag(γ)X + λI at the master.
 * `passes` counts the work of the answers used, in units of one n×d matrix-vector product.
 */
export interface HessianResult {
  H: Float64Array;
  outcome: RoundOutcome;
  passes: number;
}

export type HessianOracle = (gamma: Float64Array, iteration: number) => Promise<HessianResult>;

/**
 * Exact: one gram task per row block, Σⱼ Xⱼᵀdiag(γⱼ)Xⱼ, under the placed row-block plan
 * (speculative: backups for late blocks; wait-all: none). Each task gets its block's γ only.
 */
export function exactHessian(cluster: ComputeCluster, placed: PlacedPlan, blockStarts: number[], n: number, d: number, lambda: number): HessianOracle {
  const slotRows = placed.plan.slots.map((s) => {
    const j = placed.plan.stored[s.blocks[0]!.stored]!.terms[0]!.block;
    return [blockStarts[j]!, blockStarts[j + 1]!] as const;
  });
  return async (gamma) => {
    const outcome = await cluster.round(placed, (slot) => {
      const [a, b] = slotRows[slot]!;
      return { kind: 'gram', d: gamma.subarray(a, b) };
    });
    // A plain loop: Float64Array.from with a map function calls it per element (about 0.2 s for d = 1000).
    const sum = outcome.decoded.value;
    const H = new Float64Array(sum.length);
    for (let i = 0; i < sum.length; i++) H[i] = sum[i]! / n;
    for (let j = 0; j < d; j++) H[j * d + j]! += lambda;
    // gram touches d(d+1)/2 products per row: (d+1)/2 passes over X in all.
    return { H, outcome, passes: (d + 1) / 2 };
  };
}

/**
 * OverSketch: Ĥ = (1/n)·AᵀSSᵀA + λI with A = diag(√γ)X and S from eq. (7), a fresh S each
 * iteration (seeded by job seed, iteration and sketch block). As in Fig. 3 each task gets only
 * its row block's √γ and its sketch block's seed and returns its partial sketch (or, with one row
 * block, the worker multiplies and returns BᵢᵀBᵢ); the master sums the partials of the first N
 * complete sketch blocks and forms (1/N) Σ BᵢᵀBᵢ (see core/schemes/oversketch.ts).
 */
export function sketchedHessian(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  shape: OversketchShape,
  blockStarts: readonly number[],
  n: number,
  d: number,
  lambda: number,
  seed: number,
): HessianOracle {
  const layout = oversketchSlots(shape);
  const R = layout.rowBlocks;
  return async (gamma, iteration) => {
    const root = Float64Array.from(gamma, Math.sqrt);
    // One encoding of each row block's √γ, shared by that row block's tasks.
    const scales = Array.from({ length: R }, (_, j) => {
      const part = root.subarray(blockStarts[j]!, blockStarts[j + 1]!);
      return { shape: [part.length], data: float64ToBytes(part) };
    });
    const outcome = await cluster.round(placed, (slot) => {
      const j = layout.rowOfSlot[slot]!;
      return {
        kind: 'message',
        name: 'countSketch',
        fields: { countSketch: { scale: scales[j]!, seed: String(sketchSeed(seed, iteration, layout.sketchOfSlot[slot]!)), width: shape.width, gram: R === 1 } },
      };
    });
    const blocks = outcome.decoded.value;
    let H: Float64Array;
    const c = 1 / (shape.blocks * n);
    if (R === 1) {
      H = new Float64Array(d * d);
      for (let k = 0; k < shape.blocks; k++) {
        const off = k * d * d;
        for (let i = 0; i < d * d; i++) H[i]! += c * blocks[off + i]!;
      }
    } else {
      // Σₖ BₖᵀBₖ is the Gram of the blocks stacked (they are, in the decoded value): one dsyrk of
      // (N·b)×d on the master's linear-algebra thread instead of N on its event loop.
      const stacked = { rows: shape.blocks * shape.width, cols: d, data: blocks.subarray(0, shape.blocks * shape.width * d) };
      H = (await (await cluster.linalg()).gram(stacked, { scale: c })).data;
    }
    for (let j = 0; j < d; j++) H[j * d + j]! += lambda;
    // A sketch block is one pass over X plus b·d(d+1)/2 for its Gram matrix.
    return { H, outcome, passes: shape.blocks * (1 + (shape.width * (d + 1)) / (2 * n)) };
  };
}
