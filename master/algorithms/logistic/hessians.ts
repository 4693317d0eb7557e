import { gram, sketchSeed } from '../../../shared/kernels';
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
 * iteration (seeded by job seed, iteration and block). Slots get √γ and their block's seed; the
 * master forms (1/N) Σ (SᵢᵀA)ᵀ(SᵢᵀA) from the first N blocks (m·d(d+1)/2 work, m = N·b).
 */
export function sketchedHessian(cluster: ComputeCluster, placed: PlacedPlan, shape: OversketchShape, n: number, d: number, lambda: number, seed: number): HessianOracle {
  return async (gamma, iteration) => {
    const root = Float64Array.from(gamma, Math.sqrt);
    // One encoding of √γ for every slot: the payload differs only in the seed.
    const scale = { shape: [n], data: float64ToBytes(root) };
    const outcome = await cluster.round(placed, (slot) => ({
      kind: 'message',
      name: 'countSketch',
      fields: { countSketch: { scale, seed: String(sketchSeed(seed, iteration, slot)), width: shape.width } },
      payloadValues: n,
    }));
    const m = shape.blocks * shape.width;
    const SA = { rows: m, cols: d, data: outcome.decoded.value };
    const H = gram(SA, undefined, new Float64Array(d * d), 1 / (shape.blocks * n));
    for (let j = 0; j < d; j++) H[j * d + j]! += lambda;
    return { H, outcome, passes: shape.blocks };
  };
}
