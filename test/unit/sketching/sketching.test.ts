import { describe, expect, it } from 'vitest';
import { gram } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix, rowSlice, type Matrix } from '../../../shared/tensor';
import { blockSrht, fwhtRows, gaussianSketch, nextPowerOfTwo, sampleBlocks, srhtMix } from '../../../core/sketching';
import { expectClose, TOL } from '../../helpers/expect-close';

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** Sylvester's H_n entry: (−1)^popcount(i & j). */
function hadamardEntry(i: number, j: number): number {
  let x = i & j;
  let bits = 0;
  while (x) {
    bits += x & 1;
    x >>= 1;
  }
  return bits % 2 ? -1 : 1;
}

/** [A b] */
function appendColumn(A: Matrix, b: Float64Array): Matrix {
  const w = A.cols + 1;
  const M = new Float64Array(A.rows * w);
  for (let i = 0; i < A.rows; i++) {
    for (let c = 0; c < A.cols; c++) M[i * w + c] = A.data[i * A.cols + c]!;
    M[i * w + A.cols] = b[i]!;
  }
  return matrix(A.rows, w, M);
}

/** [A b]ᵀ[A b], so the sketch of b is checked along with A's. */
function gramOf(A: Matrix, b: Float64Array): Float64Array {
  const M = appendColumn(A, b);
  return gram(M, undefined, new Float64Array(M.cols * M.cols));
}

describe('fast Walsh-Hadamard transform', () => {
  it('matches the dense Sylvester matrix product, and is its own inverse up to n', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 8, 32]) {
      const X = randomMatrix(rng, n, 3);
      const Y = Float64Array.from(X.data);
      fwhtRows(Y, n, 3);
      const naive = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) naive[i * 3 + c]! += hadamardEntry(i, k) * X.data[k * 3 + c]!;
      expectClose(Y, naive, TOL.roundoff);
      fwhtRows(Y, n, 3, 1 / n);
      expectClose(Y, X.data, TOL.roundoff);
    }
    expect(() => fwhtRows(new Float64Array(6), 6, 1)).toThrow(/power of two/);
    expect(nextPowerOfTwo(2000)).toBe(2048);
    expect(nextPowerOfTwo(1)).toBe(1);
  });
});

describe('Gaussian sketch', () => {
  it('is S·A and S·b for one S (the same seed gives the same Θ), and unbiased: E[SᵀS] = I', () => {
    const rng = new Rng(2);
    const A = randomMatrix(rng, 30, 3);
    const b = Float64Array.from({ length: 30 }, () => rng.normal());
    // Sketching [A b] as one matrix must agree with sketching A and b together.
    const Ab = appendColumn(A, b);
    const one = gaussianSketch(A, b, 7, new Rng(5));
    const joint = gaussianSketch(Ab, new Float64Array(30), 7, new Rng(5));
    for (let i = 0; i < 7; i++) {
      expectClose(one.SA.data.subarray(i * 3, i * 3 + 3), joint.SA.data.subarray(i * 4, i * 4 + 3), TOL.roundoff);
      expectClose([one.Sb[i]!], [joint.SA.data[i * 4 + 3]!], TOL.roundoff);
    }
    const exact = gramOf(A, b);
    const mean = new Float64Array(exact.length);
    const draws = 2000;
    const r2 = new Rng(8);
    for (let t = 0; t < draws; t++) {
      const s = gaussianSketch(A, b, 10, r2);
      const g = gramOf(s.SA, s.Sb);
      for (let i = 0; i < g.length; i++) mean[i]! += g[i]! / draws;
    }
    const scale = Math.max(...exact.map(Math.abs));
    // Monte Carlo: each entry's standard error is about scale·√(2/(r·draws)) ≈ 0.01·scale.
    expectClose(mean, exact, { rtol: 0, atol: 0.05 * scale });
  });
});

describe('block-SRHT', () => {
  it('mixes orthonormally with zero padding: [HDA HDb] has the Gram matrix of [A b]', () => {
    const rng = new Rng(3);
    const A = randomMatrix(rng, 50, 4);
    const b = Float64Array.from({ length: 50 }, () => rng.normal());
    const mixed = srhtMix(A, b, rng);
    expect(mixed.SA.rows).toBe(64);
    expectClose(gramOf(mixed.SA, mixed.Sb), gramOf(A, b), { rtol: 1e-12, atol: 1e-11 });
  });

  it('is unbiased over block samples: the sample-weighted Grams sum exactly to AᵀA, and the Monte Carlo mean agrees', () => {
    const rng = new Rng(4);
    const A = randomMatrix(rng, 50, 3);
    const b = Float64Array.from({ length: 50 }, () => rng.normal());
    const mixed = srhtMix(A, b, rng);
    const tau = 10; // 64 rows: 6 blocks of 10 and one of 4
    const Kp = Math.ceil(64 / tau);
    const exact = gramOf(A, b);
    // Expectation by enumeration: each draw picks block j with probability 1/K′, scaled by K′/q.
    const expected = new Float64Array(exact.length);
    for (let j = 0; j < Kp; j++) {
      const end = Math.min(64, (j + 1) * tau);
      const g = gramOf(rowSlice(mixed.SA, j * tau, end), mixed.Sb.subarray(j * tau, end));
      for (let i = 0; i < g.length; i++) expected[i]! += g[i]!;
    }
    expectClose(expected, exact, { rtol: 1e-12, atol: 1e-11 });
    const q = 3;
    const mean = new Float64Array(exact.length);
    const draws = 4000;
    for (let t = 0; t < draws; t++) {
      const s = sampleBlocks(mixed, tau, q, rng);
      expect(s.SA.rows).toBe(s.Sb.length);
      const g = gramOf(s.SA, s.Sb);
      for (let i = 0; i < g.length; i++) mean[i]! += g[i]! / draws;
    }
    const scale = Math.max(...exact.map(Math.abs));
    expectClose(mean, exact, { rtol: 0, atol: 0.05 * scale });
  });

  it('a fresh block-SRHT samples q blocks of τ rows', () => {
    const rng = new Rng(6);
    const A = randomMatrix(rng, 2000, 5);
    const s = blockSrht(A, new Float64Array(2000), 20, 20, rng);
    // 2048 rows: 102 blocks of 20 and one of 8.
    expect(s.SA.rows).toBeGreaterThanOrEqual(19 * 20 + 8);
    expect(s.SA.rows).toBeLessThanOrEqual(400);
  });
});
