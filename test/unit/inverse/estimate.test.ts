import { describe, expect, it } from 'vitest';
import { conditionOf, describeEstimate, estimateColumnSolves, inverseProblem, invertInProcess, iterationSummary, LONG_SOLVE_SECONDS, type EstimateInputs } from '../../../algorithms/inverse';
import { gaussian, la } from './helpers';

const base: EstimateInputs = { kind: 'inverse', rows: 1000, cols: 1000, sigmaMax: 10, sigmaMin: 0.1, solver: 'cg', tol: 1e-10, maxIterations: 20_000, workers: 8, stragglers: 1 };

describe('the column solves estimate (issue 26): κ, iterations a column, expected time', () => {
  it('CG: ½·κ(A)·ln(4σmax/ε) a column, likely min(that, 2·dim); frc puts every column on s+1 workers', () => {
    const e = estimateColumnSolves(base);
    expect(e.kappaA).toBeCloseTo(100, 12);
    expect(e.kappaM).toBeCloseTo(100, 12);
    expect(e.iterationsBound).toBe(Math.ceil(0.5 * 100 * Math.log((4 * 10) / 1e-10)));
    expect(e.iterationsLikely).toBe(Math.min(e.iterationsBound, 2000));
    expect(e.iterations).toBe(e.iterationsLikely);
    expect(e.columnsPerWorker).toBe(250);
    // Two products with the 1000×1000 A a column an iteration, each column solved twice (s = 1).
    expect(e.flops).toBe(1000 * 2 * e.iterations * 4 * 1000 * 1000);
    expect(e.seconds).toBeUndefined();
    expect(e.capped).toBe(false);
  });

  it('the pseudoinverse solves against AᵀA: κ(A)², σmax², and multiplies each answer by A once', () => {
    const e = estimateColumnSolves({ ...base, kind: 'pseudoinverse', rows: 2000, cols: 1000, sigmaMin: 1 });
    expect(e.kappaM).toBeCloseTo(100, 12);
    expect(e.sigmaMaxM).toBe(100);
    expect(e.iterationsBound).toBe(Math.ceil(0.5 * 100 * Math.log((4 * 100) / 1e-10)));
    expect(e.flops).toBe(1000 * 2 * (e.iterations * 4 * 1000 * 1000 + 2 * 2000 * 1000));
  });

  it('SD: κ(M)² in place of κ(M), and no finite termination', () => {
    const e = estimateColumnSolves({ ...base, solver: 'sd', sigmaMin: 1 });
    expect(e.iterationsBound).toBe(Math.ceil(0.5 * 100 * Math.log((4 * 10) / 1e-10)));
    expect(e.iterationsLikely).toBe(e.iterationsBound);
  });

  it('the time: flops over the measured rate and the workers computing at once (at most the workers)', () => {
    const e = estimateColumnSolves({ ...base, rate: { flopsPerSecond: 1e9, parallel: 2 } });
    expect(e.seconds).toBeCloseTo(e.flops / 2e9, 6);
    expect(e.secondsMax).toBeGreaterThanOrEqual(e.seconds!);
    expect(e.basis).toMatch(/1\.0 GFLOP\/s a worker \(measured\), 2 workers computing at once/);
    expect(estimateColumnSolves({ ...base, workers: 1, stragglers: 0, rate: { flopsPerSecond: 1e9, parallel: 8 } }).basis).toMatch(/1 worker computing/);
  });

  it('a short solve: one line, κ, iterations and time, no warning', () => {
    const e = estimateColumnSolves({ ...base, rows: 100, cols: 100, sigmaMin: 5, rate: { flopsPerSecond: 1e10, parallel: 2 } });
    const { lines, warning } = describeEstimate(e);
    expect(warning).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^estimate: κ\(A\) = 2; CG needs at most about \d+ iterations a column \(½·κ·ln\(4σmax\/ε\)\), capped at 20000; 25 columns a worker; expected time about (< )?[\d.]+ s/);
  });

  it('hours: a loud warning that suggests --max-iter for about an hour and a looser --tol', () => {
    // A plain 1000×1000 Gaussian: κ ≈ 10³, about 2·n iterations, at 1 GFLOP/s on 2 cores.
    const e = estimateColumnSolves({ ...base, sigmaMax: 63, sigmaMin: 0.03, rate: { flopsPerSecond: 1e9, parallel: 2 } });
    expect(e.seconds!).toBeGreaterThan(LONG_SOLVE_SECONDS);
    const { lines, warning } = describeEstimate(e);
    expect(warning).toBe(true);
    expect(lines[0]).toMatch(/likely about 2000 \(2·dim/);
    expect(lines[0]).toMatch(/expected time about [\d.]+ h/);
    const hour = Math.floor((e.iterations * LONG_SOLVE_SECONDS) / e.seconds!);
    expect(lines[1]).toMatch(/^WARNING: the solve is expected to take about [\d.]+ h/);
    expect(lines[1]).toContain(`pass --max-iter ${hour}`);
    expect(lines[1]).toMatch(/looser --tol/);
    // A job file names its keys instead.
    expect(describeEstimate(e, { maxIter: 'maxIterations', tol: 'tol' }).lines[1]).toContain(`pass maxIterations ${hour}`);
  });

  it('a cap below the likely count is a warning too: the columns will not reach ε', () => {
    const e = estimateColumnSolves({ ...base, maxIterations: 100 });
    expect(e.capped).toBe(true);
    const { lines, warning } = describeEstimate(e);
    expect(warning).toBe(true);
    expect(lines[1]).toMatch(/hit the iteration cap \(100\) before ‖∇f‖ ≤ ε/);
  });

  it('the bound is a bound: CG on a well-conditioned A and on a Gaussian stays within it', async () => {
    for (const shift of [3, 0]) {
      const A = gaussian(40, 40, 12);
      for (let i = 0; i < 40; i++) A.data[i * 40 + i]! += shift * Math.sqrt(40);
      const p = inverseProblem('inverse', A);
      const cond = await conditionOf(la, A);
      const e = estimateColumnSolves({ ...base, rows: 40, cols: 40, sigmaMax: cond.sigmaMax, sigmaMin: cond.sigmaMin, workers: 4 });
      const { stats } = await invertInProcess(la, p, { workers: 4, stragglers: 1, solver: 'cg', tol: 1e-10 });
      const its = iterationSummary(stats);
      expect(its.max).toBeLessThanOrEqual(e.iterationsBound);
      // Well conditioned: the bound is within a small factor of what CG takes.
      if (shift === 3) expect(e.iterationsBound).toBeLessThan(3 * its.max);
    }
  });
});
