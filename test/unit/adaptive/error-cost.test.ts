import { describe, expect, it } from 'vitest';
import { ErrorCostModel, candidateSet, type Candidate } from '../../../core/policy';
import { dot, gram, lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix, rowSlice } from '../../../shared/tensor';

const K = 8;
const cands = candidateSet(K, { approximate: true, coded: false, data: false });
const byLabel = (l: string): Candidate => cands.find((c) => c.label === l)!;
const shape = (q: number): number => (K - q) / (q * (K - 1));

describe('error cost of approximate gradients', () => {
  it('prior: F = 1 + h·(K − q)/(q(K − 1)) with the prior h; exact schemes cost nothing', () => {
    const m = new ErrorCostModel({ priorHeterogeneity: 2 });
    expect(m.iterationFactor(byLabel('wait-all'))).toBe(1);
    expect(m.iterationFactor(byLabel('replication r=2'))).toBe(1);
    expect(m.iterationFactor(byLabel('ignore-stragglers q=6'))).toBeCloseTo(1 + 2 * shape(6), 12);
  });

  it('measured squared errors set h, which carries over to other q', () => {
    const m = new ErrorCostModel();
    for (let i = 0; i < 10; i++) m.observeSquaredError(byLabel('ignore-stragglers q=6'), 3 * shape(6));
    expect(m.heterogeneity('ignore-stragglers')).toBeCloseTo(3, 12);
    expect(m.relativeVariance(byLabel('ignore-stragglers q=4'))).toBeCloseTo(3 * shape(4), 12);
    // Exact rounds and junk are ignored.
    m.observeSquaredError(byLabel('wait-all'), 5);
    m.observeSquaredError(byLabel('ignore-stragglers q=6'), NaN);
    expect(m.heterogeneity('ignore-stragglers')).toBeCloseTo(3, 12);
  });

  it('measured contractions calibrate F, and a scheme that stalls costs ∞', () => {
    const m = new ErrorCostModel();
    const q6 = byLabel('ignore-stragglers q=6');
    for (let i = 0; i < 6; i++) {
      m.observeContraction(byLabel('wait-all'), 0.5);
      m.observeContraction(q6, 0.6);
      m.observeSquaredError(q6, 0.2);
    }
    const F = Math.log(0.5) / Math.log(0.6);
    expect(m.iterationFactor(q6)).toBeCloseTo(F, 10);
    expect(m.iterationFactor(byLabel('ignore-stragglers q=4'))).toBeCloseTo(1 + ((F - 1) / 0.2) * 0.2 * (shape(4) / shape(6)), 10);
    expect(m.contraction()).toBeCloseTo(0.5, 12);
    expect(m.iterationsToTarget(1e-2, 1e-5)).toBeCloseTo(Math.log(1e-3) / Math.log(0.5), 10);
    const lev = new ErrorCostModel();
    for (let i = 0; i < 6; i++) {
      lev.observeContraction(byLabel('wait-all'), 0.5);
      lev.observeContraction(q6, 1.02);
    }
    expect(lev.iterationFactor(q6)).toBe(Infinity);
  });

  it('a stall marks a floor: below 10× the error where an estimate stalled, every approximate candidate costs ∞, whatever the windows say later', () => {
    const m = new ErrorCostModel();
    const q6 = byLabel('ignore-stragglers q=6');
    const q4 = byLabel('ignore-stragglers q=4');
    m.observeError(1e-5);
    m.markStall();
    // Exact zig-zag hides its own progress (mean log-ratio ≥ 0): the windows alone would say β = 1.
    for (let i = 0; i < 6; i++) {
      m.observeContraction(byLabel('wait-all'), i % 2 ? 2 : 0.5);
      m.observeContraction(q6, 0.9);
    }
    for (const e of [1e-5, 5e-5, 1e-6, 1e-9]) {
      m.observeError(e);
      expect(m.iterationFactor(q4)).toBe(Infinity);
      expect(m.iterationFactor(q6)).toBe(Infinity);
      expect(m.iterationFactor(byLabel('wait-all'))).toBe(1);
    }
    // Far above the floor (another job phase, a restarted descent) estimates are weighed again.
    m.observeError(1e-3);
    expect(Number.isFinite(m.iterationFactor(q4))).toBe(true);
  });

  /**
   * Steepest descent with exact line search on a real least-squares problem, the gradient exact or
   * from q of K blocks (a uniform subset, rescaled): fed what the master would measure (e and the
   * error ratios), the model keeps approximation cheap on a consistent system and rules it out where
   * it stalls at a noise floor.
   */
  it('on real steepest descent: cheap where the system is consistent, prohibitive where the estimate stalls at a floor', () => {
    for (const noise of [0, 0.05]) {
      const rng = new Rng(3);
      const tau = 60;
      const d = 20;
      const rows = K * tau;
      const A = matrix(rows, d, Float64Array.from({ length: rows * d }, () => rng.normal()));
      const xs = Float64Array.from({ length: d }, () => rng.normal());
      const b = Float64Array.from({ length: rows }, (_, i) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += A.data[i * d + j]! * xs[j]!;
        return s + noise * rng.normal();
      });
      const G = gram(A, undefined, new Float64Array(d * d));
      const blocks = Array.from({ length: K }, (_, j) => ({ A: rowSlice(A, j * tau, (j + 1) * tau), b: b.subarray(j * tau, (j + 1) * tau) }));
      const model = new ErrorCostModel();
      const g0 = Math.sqrt(dot(lsGradient(A, b, new Float64Array(d), new Float64Array(d)), lsGradient(A, b, new Float64Array(d), new Float64Array(d))));
      // Until 1e-8 of the first gradient: beyond, roundoff would look like a stall.
      const run = (c: Candidate, rounds: number): void => {
        const x = new Float64Array(d);
        let prev = Infinity;
        for (let r = 0; r < rounds; r++) {
          const g = lsGradient(A, b, x, new Float64Array(d));
          const gn = Math.sqrt(dot(g, g));
          if (gn < 1e-8 * g0) return;
          if (r > 0) model.observeContraction(c, gn / prev);
          prev = gn;
          let dir = g;
          if (!c.exact) {
            const q = c.params.q as number;
            dir = new Float64Array(d);
            const perm = rng.permutation(K);
            for (let k = 0; k < q; k++) lsGradient(blocks[perm[k]!]!.A, blocks[perm[k]!]!.b, x, dir, K / q, true);
            let e = 0;
            for (let i = 0; i < d; i++) e += (dir[i]! - g[i]!) ** 2;
            model.observeSquaredError(c, e / dot(g, g));
          }
          const Gd = new Float64Array(d);
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Gd[i]! += G[i * d + j]! * dir[j]!;
          const alpha = dot(dir, g) / dot(dir, Gd);
          for (let i = 0; i < d; i++) x[i]! -= alpha * dir[i]!;
        }
      };
      const q4 = byLabel('ignore-stragglers q=4');
      run(byLabel('wait-all'), 20);
      run(q4, 60);
      const prior = 1 + model.relativeVariance(q4);
      // Consistent: calibrated below the fixed-step prior. Noisy: stalled near the floor, so the
      // estimate costs more iterations than any straggler could (F in the hundreds, ρ ≈ 0.99).
      if (noise === 0) expect(model.iterationFactor(q4)).toBeLessThan(prior);
      else expect(model.iterationFactor(q4)).toBeGreaterThan(50);
    }
  });
});
