import { describe, expect, it } from 'vitest';
import { normalEquations, steepestDescent, type GradientOracle } from '../../../algorithms';
import type { RoundOutcome } from '../../../algorithms/compute-cluster';
import { lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix } from '../../../shared/tensor';
import { inlineLa } from '../../helpers/linalg';

/** f(x) = ½‖Ax − b‖² */
function loss(A: ReturnType<typeof matrix>, b: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < A.rows; i++) {
    let r = -b[i]!;
    for (let j = 0; j < A.cols; j++) r += A.data[i * A.cols + j]! * x[j]!;
    s += r * r;
  }
  return s / 2;
}

/** A round as the oracle reports it: one approximate answer, no stragglers (the test is about the step). */
const outcome = (value: Float64Array): RoundOutcome => ({ round: 0, decoded: { value, used: [0], exact: false }, seconds: 0, arrivals: [], stragglers: [], backupsLaunched: 0, slotsMoved: 0, bytesSent: 0, bytesReceived: 0 });

describe('steepest descent, exact line search', () => {
  it('along an approximate direction takes the exact minimizer of f: f never increases, even when the direction is 3× too long and noisy', async () => {
    const rng = new Rng(11);
    const n = 400;
    const d = 10;
    const A = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal() * (1 + rng.uniform() * 4)));
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const normal = await normalEquations(inlineLa, A, b);
    const noise = new Rng(12);
    const fs: number[] = [];
    // ĝ = 3g + noise of ‖g‖'s size: dᵀd/dᵀGd (Cauchy's step) overshoots such a direction.
    const oracle: GradientOracle = {
      async gradient(x) {
        fs.push(loss(A, b, x));
        const g = lsGradient(A, b, x, new Float64Array(d));
        const gn = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
        const dir = g.map((v) => 3 * v + (gn / Math.sqrt(d)) * noise.normal());
        return { g: dir, rounds: [outcome(dir)] };
      },
    };
    const res = await steepestDescent(oracle, normal, { step: 'line-search', stop: { tol: 0, maxRounds: 60, timeLimit: 60 } });
    fs.push(loss(A, b, res.x));
    for (let i = 1; i < fs.length; i++) expect(fs[i]!).toBeLessThanOrEqual(fs[i - 1]! * (1 + 1e-12));
    expect(fs[fs.length - 1]!).toBeLessThan(fs[0]!);
    expect(Number.isFinite(res.relGradient)).toBe(true);
  });
});
