import { sketchSeed } from '../../../shared/kernels';
import { float64ToBytes } from '../../../shared/tensor';
import type { ComputeCluster, PlacedPlan, RoundOutcome } from '../../cluster/types';
import type { OversketchShape } from './oversketch-plan';

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
    const H = Float64Array.from(outcome.decoded.value, (v) => v / n);
    for (let j = 0; j < d; j++) H[j * d + j]! += lambda;
    // gram touches d(d+1)/2 products per row: (d+1)/2 passes over X in all.
    return { H, outcome, passes: (d + 1) / 2 };
  };
}

/**
 * OverSketch: Ĥ = (1/n)·AᵀSSᵀA + λI with A = diag(√γ)X and S from eq. (7), a fresh S each
 * iteration (seeded by job seed, iteration and block). Slots get √γ and their block's seed and,
 * as in Fig. 3, multiply on the worker: each returns Bᵢᵀ Bᵢ (d×d) for Bᵢ = SᵢᵀA, and the master
 * forms (1/N) Σ over the first N blocks (N·d² work instead of m·d²/2).
 */
export function sketchedHessian(cluster: ComputeCluster, placed: PlacedPlan, shape: OversketchShape, n: number, d: number, lambda: number, seed: number): HessianOracle {
  return async (gamma, iteration) => {
    const root = Float64Array.from(gamma, Math.sqrt);
    // One encoding of √γ for every slot: the payload differs only in the seed.
    const scale = { shape: [n], data: float64ToBytes(root) };
    const outcome = await cluster.round(placed, (slot) => ({
      kind: 'message',
      name: 'countSketch',
      fields: { countSketch: { scale, seed: String(sketchSeed(seed, iteration, slot)), width: shape.width, gram: true } },
      payloadValues: n,
    }));
    const grams = outcome.decoded.value;
    const H = new Float64Array(d * d);
    const c = 1 / (shape.blocks * n);
    for (let k = 0; k < shape.blocks; k++) {
      const off = k * d * d;
      for (let i = 0; i < d * d; i++) H[i]! += c * grams[off + i]!;
    }
    for (let j = 0; j < d; j++) H[j * d + j]! += lambda;
    // A sketch block is one pass over X plus b·d(d+1)/2 for its Gram matrix.
    return { H, outcome, passes: shape.blocks * (1 + (shape.width * (d + 1)) / (2 * n)) };
  };
}
