import { beforeAll, describe, expect, it } from 'vitest';
import { inlineLa } from '../../helpers/linalg';
import { logisticLayout, referenceNewton, solveLogistic, type LogisticSolveSpec } from '../../../algorithms/logistic';
import { syntheticLogistic } from '../../../master/data/logistic-synthetic';
import { logisticRegressionJobSchema } from '../../../master/jobs/logistic-regression/schema';
import { norm2 } from '../../../shared/kernels';
import { InProcessCluster } from './in-process-cluster';

/**
 * The OverSketched Newton paper's baselines, in process (the workers' own task handlers, seeded
 * straggler patterns): Algorithm 1's unit step, the gradient's products coded by the product code
 * (the default, as in the paper) or uncoded under speculative execution (Fig. 6), and gradient
 * descent over row blocks ignoring stragglers (Fig. 7).
 */
const lambda = 1e-3;
const data = syntheticLogistic({ rows: 1800, cols: 12, seed: 5, signal: 2, correlation: 0.3 });
let ref: Awaited<ReturnType<typeof referenceNewton>>;
beforeAll(async () => {
  ref = await referenceNewton(inlineLa, data.X, data.y, lambda, 1e-13);
});
const stop = { gradNorm: 1e-10, maxRounds: 60, timeLimit: 120 };
const base: Omit<LogisticSolveSpec, 'solver'> = { lambda, sketch: { factor: 10 }, hessianScheme: { name: 'wait-all' }, seed: 2 };
const distance = (w: Float64Array) => norm2(Float64Array.from(w, (v, j) => v - ref.w[j]!)) / norm2(ref.w);

describe('the paper’s baselines (logistic regression)', () => {
  it('newton.step: unit takes w − H⁻¹∇f every iteration (Algorithm 1) and converges quadratically to the reference', async () => {
    const out = await solveLogistic(new InProcessCluster(9, 3), 'unit', data.X, data.y, { ...base, solver: 'newton', newtonStep: 'unit' }, { stop });
    const steps = out.run.history.slice(0, -1).map((h) => h.step);
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.every((s) => s === 1)).toBe(true);
    expect(out.run.stoppedBy).toBe('gradNorm');
    expect(distance(out.run.w)).toBeLessThan(1e-8);
    expect(out.schemes.step).toBe('unit');
    // The default gradient code is the product code (9 workers: a 2×2 grid on 3×3 cells).
    expect(out.schemes.gradient).toMatchObject({ name: 'product-code', X: { grid: [2, 2], cells: 9 } });
  });

  it('OverSketched Newton with product-code gradients and unit steps reaches the reference', async () => {
    const out = await solveLogistic(new InProcessCluster(9, 4), 'osn', data.X, data.y, { ...base, solver: 'oversketched-newton', newtonStep: 'unit' }, { stop });
    expect(out.run.stoppedBy).toBe('gradNorm');
    expect(distance(out.run.w)).toBeLessThan(1e-8);
  });

  it('uncoded products under speculative execution (the paper’s rule) give the same iterates as the product code', async () => {
    const coded = await solveLogistic(new InProcessCluster(9, 5), 'c', data.X, data.y, { ...base, solver: 'newton', newtonStep: 'unit', scheme: { name: 'product-code' } }, { stop });
    const spec = await solveLogistic(new InProcessCluster(9, 5), 's', data.X, data.y, { ...base, solver: 'newton', newtonStep: 'unit', scheme: { name: 'speculative', rule: 'paper' }, blocks: 6 }, { stop });
    expect(spec.schemes.gradient).toMatchObject({ name: 'speculative', rule: 'paper' });
    expect(spec.run.iterations).toBe(coded.run.iterations);
    for (let t = 0; t < coded.run.iterates.length; t++) {
      const a = coded.run.iterates[t]!;
      const b = spec.run.iterates[t]!;
      expect(norm2(Float64Array.from(a, (v, j) => v - b[j]!))).toBeLessThan(1e-10 * (1 + norm2(a)));
    }
  });

  it('gradient descent over row blocks ignoring stragglers (95% of the blocks, Fig. 7) decreases f with backtracking steps', async () => {
    const out = await solveLogistic(new InProcessCluster(20, 6), 'gd', data.X, data.y, { ...base, solver: 'gd', scheme: { name: 'ignore-stragglers', q: 19 } }, { stop: { gradNorm: 1e-12, maxRounds: 40, timeLimit: 120 } });
    expect(out.schemes.gradient).toMatchObject({ name: 'ignore-stragglers' });
    const f = out.run.history.map((h) => h.objective);
    // In-loop f is a minibatch estimate; the true f falls overall.
    expect(out.run.iterations).toBe(40);
    const trueF = (w: Float64Array) => referenceValue(w);
    expect(trueF(out.run.w)).toBeLessThan(trueF(out.run.iterates[0]!) - 0.1);
    expect(f.length).toBe(41);
    // The steps adapt (twice the last accepted, then halved until Armijo accepts).
    expect(new Set(out.run.history.slice(0, -1).map((h) => h.step)).size).toBeGreaterThan(1);
  });

  it('stage workers: each stage plans on the first of the job’s workers; asking more than there are is refused', () => {
    const spec = { solver: 'newton' as const, sketch: { factor: 10 }, hessianScheme: { name: 'speculative', rule: 'paper' }, gradientWorkers: 9, hessianWorkers: 30 };
    const l = logisticLayout(spec, 40, 2000, 50);
    expect(l.gradientWorkers).toBe(9);
    expect(l.blocks).toBe(4); // product-code's 2×2 grid on 9 cells
    expect(l.hessian).toMatchObject({ workers: 30, blocks: 30 });
    const s = logisticLayout({ ...spec, solver: 'oversketched-newton', sketch: { factor: 10, workers: 12, blocks: 2, extra: 1 } }, 40, 2000, 50);
    expect(s.sketch).toMatchObject({ workers: 12, blocks: 2, extra: 1, rowBlocks: 4 });
    expect(() => logisticLayout({ ...spec, gradientWorkers: 41 }, 40, 2000, 50)).toThrow(/gradientWorkers = 41 but the job has 40 workers/);
    expect(() => logisticLayout({ ...spec, solver: 'giant', scheme: { name: 'product-code' } }, 40, 2000, 50)).toThrow(/solver giant takes scheme wait-all, ignore-stragglers, speculative, replication, frc/);
    expect(logisticLayout({ ...spec, solver: 'gd', scheme: { name: 'wait-all' } }, 40, 2000, 50).rowBlocks).toBe(true);
    expect(logisticLayout({ ...spec, solver: 'gd', scheme: { name: 'mds' } }, 40, 2000, 50).rowBlocks).toBe(false);
  });

  it('job defaults: the exact Hessian under the paper’s speculative rule, the Armijo-safeguarded step; newton.step and stop.suboptimality parse', () => {
    const job = logisticRegressionJobSchema.parse({ job: 'logistic-regression', data: { synthetic: { rows: 100, cols: 5 } } });
    expect(job.hessian.scheme).toEqual({ name: 'speculative', rule: 'paper' });
    expect(job.newton.step).toBe('armijo');
    const paper = logisticRegressionJobSchema.parse({ job: 'logistic-regression', data: { synthetic: { rows: 100, cols: 5 } }, newton: { step: 'unit' }, stop: { suboptimality: 1e-6 } });
    expect(paper.newton.step).toBe('unit');
    expect(paper.stop.suboptimality).toBe(1e-6);
    expect(logisticRegressionJobSchema.safeParse({ job: 'logistic-regression', data: { synthetic: { rows: 100, cols: 5 } }, newton: { step: 'half' } }).success).toBe(false);
  });
});

function referenceValue(w: Float64Array): number {
  let loss = 0;
  const { X, y } = data;
  for (let i = 0; i < X.rows; i++) {
    let a = 0;
    for (let j = 0; j < X.cols; j++) a += X.data[i * X.cols + j]! * w[j]!;
    const m = y[i]! * a;
    loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
  }
  let ww = 0;
  for (const v of w) ww += v * v;
  return loss / X.rows + 0.5 * lambda * ww;
}
