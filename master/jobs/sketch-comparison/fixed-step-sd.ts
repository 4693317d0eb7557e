import type { BatchGradientOracle } from '../../../core/sketching';

export type AsyncGradientOracle = (xs: readonly Float64Array[], outs: Float64Array[]) => Promise<void> | void;

/**
 * The paper's SD with fixed steps, x ← x − ξ·2·ĝ(x) from x⁽⁰⁾ = 0, for several steps ξ in
 * lockstep (one oracle call per iteration serves every step). Returns the final iterates.
 */
export async function fixedStepDescent(
  oracle: BatchGradientOracle | AsyncGradientOracle,
  d: number,
  steps: readonly number[],
  iterations: number,
): Promise<Float64Array[]> {
  const xs = steps.map(() => new Float64Array(d));
  const gs = steps.map(() => new Float64Array(d));
  for (let s = 0; s < iterations; s++) {
    await oracle(xs, gs);
    // Yield to the master's event loop every iteration: a Gaussian sketch takes tens of ms, and
    // worker heartbeats must keep being answered during a run of minutes.
    await new Promise((r) => setImmediate(r));
    steps.forEach((xi, k) => {
      const x = xs[k]!;
      const g = gs[k]!;
      for (let j = 0; j < d; j++) x[j]! -= 2 * xi * g[j]!;
    });
  }
  return xs;
}
