import { describe, expect, it } from 'vitest';
import { kernelMatrix, stalenessStep, eigenproStep } from '../../../shared/kernels';
import { buildStates, generateKernelData, simulateAsyncRoundRobin, simulateSync } from '../../../algorithms/eigenpro';

/**
 * AsyncEigenPro with equal-speed workers taking turns (every read τ = G − 1 updates stale, the
 * pattern the cluster shows when every iteration waits the same delay). The paper's step
 * (`step: paper`, Theorem 1, τ ignored) oscillates at 8 workers; Coda's staleness-aware rule
 * (`step: staleness-aware`) m/(β + λ_{q+1}((τ+1)m − 1)) converges at 1, 2, 4 and 8. The same on
 * real workers: test/cluster/eigenpro-step.test.ts.
 */
describe('staleness-aware step', () => {
  const { X, y } = generateKernelData('regression', 800, 5, 0.1, 3);
  const kernel = { name: 'laplacian' as const, bandwidth: 2 };
  const K = kernelMatrix(kernel, X, X);
  const n = X.rows;
  const relError = (a: Float64Array): number => {
    let r = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let j = 0; j < n; j++) f += K[i * n + j]! * a[j]!;
      r += (f - y[i]!) ** 2;
      yy += y[i]! ** 2;
    }
    return r / yy;
  };

  it('is the paper step at τ = 0 and per point the synchronous step at τ = G − 1', () => {
    expect(stalenessStep(64, 0, 1, 3e-3)).toBeCloseTo(eigenproStep(64, 1, 3e-3), 12);
    expect(stalenessStep(64, 7, 1, 3e-3) / 64).toBeCloseTo(eigenproStep(8 * 64, 1, 3e-3) / (8 * 64), 12);
  });

  it('converges at 1, 2, 4 and 8 workers where the paper step does not at 8', () => {
    const errors: Record<number, { rule: number; sync: number; paper: number }> = {};
    for (const G of [1, 2, 4, 8]) {
      const o = { workers: G, kernel, nystrom: Math.min(300, Math.floor(n / G)), q: 30, batch: 64, epochs: 15, seed: 1 };
      const states = buildStates(X, y, o);
      errors[G] = {
        rule: relError(simulateAsyncRoundRobin(X, y, { ...o, stepTau: G - 1 }, states)),
        sync: relError(simulateSync(X, y, o, states)),
        paper: relError(simulateAsyncRoundRobin(X, y, { ...o, stepTau: 0 }, states)),
      };
    }
    for (const G of [1, 2, 4, 8]) {
      expect(errors[G]!.rule, `rule at ${G} workers`).toBeLessThan(1e-2);
      // As good as synchronous EigenPro with the same preconditioners, within a factor 2.
      expect(errors[G]!.rule, `rule vs sync at ${G} workers`).toBeLessThan(2 * errors[G]!.sync + 1e-12);
    }
    expect(errors[8]!.paper, 'paper step at 8 workers, τ = 7').toBeGreaterThan(1);
  }, 120_000);
});
