import { describe, expect, it } from 'vitest';
import { referenceNewton, solveLogistic, type LogisticSolveSpec } from '../../../algorithms/logistic';
import { syntheticLogistic } from '../../../master/data/logistic-synthetic';
import { norm2 } from '../../../shared/kernels';
import { inlineLa } from '../../helpers/linalg';
import { InProcessCluster } from './in-process-cluster';

/**
 * Point (2) of the issue: linear-quadratic convergence on n = 20000, d = 100 with m = 10d.
 * OverSketched Newton takes more iterations than exact Newton to ‖∇f‖ ≤ 1e-8 (its Hessian is an
 * ε-approximation: Theorem 2.1's linear term) but fewer passes over the data, because a sketch
 * block costs one pass and the exact Hessian (d+1)/2.
 */
const lambda = 1e-4;
const data = syntheticLogistic({ rows: 20_000, cols: 100, seed: 3, signal: 3, correlation: 0.5 });

describe('convergence on n = 20000, d = 100, m = 10d', () => {
  it('oversketched Newton: more iterations than exact Newton, fewer passes; errors linear-quadratic', async () => {
    const ref = await referenceNewton(inlineLa, data.X, data.y, lambda, 1e-13);
    const runOne = async (solver: LogisticSolveSpec['solver']) => {
      const out = await solveLogistic(new InProcessCluster(8, 7), 'conv', data.X, data.y, { solver, lambda, scheme: { name: 'mds' }, sketch: { factor: 10 }, hessianScheme: { name: 'wait-all' }, seed: 9 }, { stop: { gradNorm: 1e-8, maxRounds: 100, timeLimit: 600 } });
      const errors = out.run.iterates.map((w) => norm2(Float64Array.from(w, (v, j) => v - ref.w[j]!)));
      return { run: out.run, errors, passes: out.run.history[out.run.history.length - 1]!.passes };
    };
    const exact = await runOne('newton');
    const sketched = await runOne('oversketched-newton');
    const table = (name: string, r: typeof exact) =>
      `${name}: ${r.run.iterations} iterations, ${r.passes.toFixed(1)} passes\n` +
      r.run.history.map((h, t) => `  t=${t} ‖∇f‖=${h.gradNorm.toExponential(2)} ‖w−w*‖=${r.errors[t]!.toExponential(2)} step=${h.step}`).join('\n');
    console.log(`${table('newton', exact)}\n${table('oversketched-newton', sketched)}`);
    expect(exact.run.stoppedBy).toBe('gradNorm');
    expect(sketched.run.stoppedBy).toBe('gradNorm');
    expect(sketched.run.iterations).toBeGreaterThan(exact.run.iterations);
    expect(sketched.passes).toBeLessThan(exact.passes);
    // Exact Newton is quadratic near w*: ‖Δ_{t+1}‖/‖Δ_t‖² settles to a constant C (the 2L/γ of eq. 6).
    const x = exact.errors;
    const quad = x.slice(1).map((v, t) => v / x[t]! ** 2).slice(-3);
    for (const q of quad) expect(q / quad[quad.length - 1]!).toBeGreaterThan(0.5);
    for (const q of quad) expect(q / quad[quad.length - 1]!).toBeLessThan(2);
    expect(x[x.length - 1]! / x[x.length - 2]!).toBeLessThan(1e-3);
    // OverSketched Newton is linear-quadratic (Theorem 2.1): ‖Δ_{t+1}‖ ≤ a‖Δ_t‖² + c‖Δ_t‖. Its
    // tail contracts at a steady linear rate c < 1, neither quadratic (ratios do not go to 0)
    // nor stalling; with a = 2C and that c the bound holds at every iteration.
    const e = sketched.errors;
    const ratios = e.slice(1).map((v, t) => v / e[t]!);
    const tail = ratios.slice(Math.floor(ratios.length / 2));
    const c = Math.max(...tail);
    expect(c).toBeLessThan(0.6);
    expect(Math.min(...tail)).toBeGreaterThan(0.1);
    expect(c / Math.min(...tail)).toBeLessThan(2.5);
    const a = 2 * quad[quad.length - 1]!;
    for (let t = 0; t + 1 < e.length; t++) expect(e[t + 1]!, `t = ${t}`).toBeLessThanOrEqual(a * e[t]! ** 2 + c * e[t]!);
  });
});
