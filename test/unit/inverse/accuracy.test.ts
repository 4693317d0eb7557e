import { describe, expect, it } from 'vitest';
import { checkFullRank, exactReference, invertInProcess, inverseErrors, errorBounds, inverseProblem, iterationSummary } from '../../../algorithms/inverse';
import { gaussian, la, relativeFrobenius } from './helpers';

describe('inverse over frc: accuracy against a direct solve (LAPACK, or ml-matrix without the addon)', () => {
  it('200×200 seeded Gaussian, CG, ε = 1e-10: relative Frobenius error below 1e-8, within Prop. 1', async () => {
    const p = inverseProblem('inverse', gaussian(200, 200, 42));
    await checkFullRank(la, p);
    const t0 = Date.now();
    const { estimate, stats } = await invertInProcess(la, p, { workers: 8, stragglers: 1, solver: 'cg', tol: 1e-10 });
    const seconds = (Date.now() - t0) / 1000;
    const ref = await exactReference(la, p);
    const rel = relativeFrobenius(estimate, ref.exact);
    expect(rel).toBeLessThan(1e-8);
    const errors = await inverseErrors(la, p, estimate, ref);
    expect(errors.relativeFrobeniusNorm).toBeCloseTo(rel, 12);
    const [bound] = errorBounds(p, 1e-10, ref.sigmaMin, ref.sigmaMax, errors);
    expect(bound!.holds).toBe(true);
    const its = iterationSummary(stats);
    expect(its.converged).toBe(200);
    expect(its.maxGradientNorm).toBeLessThanOrEqual(1e-10);
    console.log(`200×200 CG: rel ${rel.toExponential(2)}, κ ${(ref.sigmaMax / ref.sigmaMin).toFixed(0)}, iterations median ${its.median} max ${its.max}, ${seconds}s`);
  });

  it('300×100 tall pseudoinverse (AᵀA)⁻¹Aᵀ, CG, ε = 1e-10: error below 1e-8, within Cor. 2', async () => {
    const p = inverseProblem('pseudoinverse', gaussian(300, 100, 7));
    await checkFullRank(la, p);
    const { estimate, stats } = await invertInProcess(la, p, { workers: 8, stragglers: 1, solver: 'cg', tol: 1e-10 });
    const ref = await exactReference(la, p);
    const rel = relativeFrobenius(estimate, ref.exact);
    expect(rel).toBeLessThan(1e-8);
    const errors = await inverseErrors(la, p, estimate, ref);
    for (const b of errorBounds(p, 1e-10, ref.sigmaMin, ref.sigmaMax, errors)) expect(b.holds, b.source).toBe(true);
    expect(errors.residualFrobenius).toBeLessThan(1e-6);
    expect(iterationSummary(stats).converged).toBe(100);
  });
});
