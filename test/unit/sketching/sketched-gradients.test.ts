import { describe, expect, it } from 'vitest';
import { lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix } from '../../../shared/tensor';
import { blockSrhtGradientOracle, exactGradientOracle, fillNormals, gaussianGradientOracle } from '../../../core/sketching';
import { expectClose, TOL } from '../../helpers/expect-close';

function problem(seed: number, N: number, d: number) {
  const rng = new Rng(seed);
  const A = matrix(N, d, Float64Array.from({ length: N * d }, () => rng.normal()));
  const b = Float64Array.from({ length: N }, () => rng.normal());
  const x = Float64Array.from({ length: d }, () => rng.normal());
  return { A, b, x, g: lsGradient(A, b, x, new Float64Array(d)) };
}

function meanOf(oracle: (xs: Float64Array[], outs: Float64Array[]) => void, x: Float64Array, draws: number): Float64Array {
  const mean = new Float64Array(x.length);
  const out = [new Float64Array(x.length)];
  for (let t = 0; t < draws; t++) {
    oracle([x], out);
    for (let i = 0; i < mean.length; i++) mean[i]! += out[0]![i]! / draws;
  }
  return mean;
}

describe('sketched gradient oracles', () => {
  it('exact is Aᵀ(Ax − b) for every iterate', () => {
    const p = problem(1, 20, 3);
    const outs = [new Float64Array(3), new Float64Array(3)];
    exactGradientOracle(p.A, p.b)([p.x, p.x], outs);
    for (const o of outs) expectClose(o, p.g, TOL.roundoff);
  });

  it('Gaussian and block-SRHT gradients are unbiased (Monte Carlo mean within 5% of ‖g‖)', () => {
    const p = problem(2, 64, 3);
    const tol = { rtol: 0, atol: 0.05 * Math.max(...p.g.map(Math.abs)) };
    expectClose(meanOf(gaussianGradientOracle(p.A, p.b, 16, new Rng(3)), p.x, 3000), p.g, tol);
    expectClose(meanOf(blockSrhtGradientOracle(p.A, p.b, 4, 4, new Rng(4)), p.x, 3000), p.g, tol);
  });

  it('shares one sketch across the iterates of a call', () => {
    const p = problem(3, 32, 2);
    const outs = [new Float64Array(2), new Float64Array(2)];
    gaussianGradientOracle(p.A, p.b, 5, new Rng(5))([p.x, p.x], outs);
    expectClose(outs[0]!, outs[1]!, TOL.roundoff);
  });

  it('fillNormals has mean 0 and variance scale²', () => {
    const v = new Float64Array(200_001);
    fillNormals(new Rng(6), v, 2);
    const m = v.reduce((a, x) => a + x, 0) / v.length;
    const s2 = v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length;
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(s2 / 4 - 1)).toBeLessThan(0.02);
  });
});
