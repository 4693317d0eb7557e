import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  countSketchHash,
  countSketchInto,
  localNewtonInto,
  logisticGradientInto,
  logisticLossAtStepsInto,
  marginGamma,
  solveSpd,
} from '../../../shared/kernels';
import { SingularMatrixError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { expectClose, TOL } from '../../helpers/expect-close';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

function labels(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
}

/** Naive f_data(w) = Σ log(1 + exp(−y xᵀw)). */
function naiveLoss(A: Matrix, y: Float64Array, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < A.rows; i++) {
    let m = 0;
    for (let j = 0; j < A.cols; j++) m += A.data[i * A.cols + j]! * w[j]!;
    s += Math.log(1 + Math.exp(-y[i]! * m));
  }
  return s;
}

describe('count sketch', () => {
  it('equals Sᵀ diag(scale) A with S built explicitly from the hash', () => {
    const A = randomMatrix(50, 4, 1);
    const scale = Float64Array.from({ length: 50 }, (_, i) => 0.5 + i / 50);
    const width = 7;
    const seed = 12345;
    const got = countSketchInto(A, scale, seed, width, 100, new Float64Array(width * 4), 2);
    const want = new Float64Array(width * 4);
    for (let i = 0; i < 50; i++) {
      const { bucket, sign } = countSketchHash(seed, 100 + i, width);
      for (let j = 0; j < 4; j++) want[bucket * 4 + j]! += 2 * sign * scale[i]! * A.data[i * 4 + j]!;
    }
    expectClose(got, want, TOL.roundoff);
  });

  it('partial sketches of row blocks add up to the sketch of the whole matrix', () => {
    const A = randomMatrix(60, 3, 2);
    const whole = countSketchInto(A, undefined, 9, 5, 0, new Float64Array(15));
    const parts = new Float64Array(15);
    for (const [s, e] of [[0, 17], [17, 40], [40, 60]] as const) {
      countSketchInto({ rows: e - s, cols: 3, data: A.data.subarray(s * 3, e * 3) }, undefined, 9, 5, s, parts);
    }
    expectClose(parts, whole, TOL.roundoff);
  });

  it('is unbiased for the Gram matrix: the mean of (SᵀA)ᵀ(SᵀA) over seeds approaches AᵀA', () => {
    const A = randomMatrix(40, 3, 3);
    const exact = new Float64Array(9);
    for (let i = 0; i < 40; i++) for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) exact[p * 3 + q]! += A.data[i * 3 + p]! * A.data[i * 3 + q]!;
    const mean = new Float64Array(9);
    const trials = 3000;
    for (let t = 0; t < trials; t++) {
      const SA = countSketchInto(A, undefined, 1000 + t, 8, 0, new Float64Array(24));
      for (let b = 0; b < 8; b++) for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) mean[p * 3 + q]! += (SA[b * 3 + p]! * SA[b * 3 + q]!) / trials;
    }
    // Monte Carlo error ~ ‖A‖²_F·sqrt(2/(width·trials)) ≈ 120·0.009; 5% of the diagonal (≈40) is ample.
    expectClose(mean, exact, { rtol: 0, atol: 0.05 * 40 });
  });

  it('spreads rows evenly over buckets and signs', () => {
    const counts = new Array(10).fill(0);
    let plus = 0;
    for (let r = 0; r < 100_000; r++) {
      const { bucket, sign } = countSketchHash(77, r, 10);
      counts[bucket]++;
      if (sign === 1) plus++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(Math.abs(plus - 50_000)).toBeLessThan(1000);
  });
});

describe('cholesky', () => {
  it('solves SPD systems like ml-matrix', () => {
    const B = randomMatrix(12, 8, 4);
    const H = new Float64Array(64);
    for (let i = 0; i < 12; i++) for (let p = 0; p < 8; p++) for (let q = 0; q < 8; q++) H[p * 8 + q]! += B.data[i * 8 + p]! * B.data[i * 8 + q]!;
    const b = Float64Array.from({ length: 8 }, (_, i) => i - 3);
    const want = new CholeskyDecomposition(new MlMatrix(Array.from({ length: 8 }, (_, i) => Array.from(H.subarray(i * 8, i * 8 + 8))))).solve(MlMatrix.columnVector(Array.from(b)));
    expectClose(solveSpd(H, 8, b), want.getColumn(0), TOL.solver);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => solveSpd(Float64Array.from([1, 2, 2, 1]), 2, Float64Array.from([1, 1]))).toThrow(SingularMatrixError);
  });
});

describe('logistic kernels', () => {
  const A = randomMatrix(30, 5, 5);
  const y = labels(30, 6);
  const w = Float64Array.from([0.3, -0.2, 0.1, 0.5, -0.4]);

  it('gradient and loss match the naive loss and its finite differences', () => {
    const out = logisticGradientInto(A, y, w, new Float64Array(6));
    expect(out[5]).toBeCloseTo(naiveLoss(A, y, w), 12);
    const h = 1e-6;
    const fd = Float64Array.from({ length: 5 }, (_, j) => {
      const wp = Float64Array.from(w);
      const wm = Float64Array.from(w);
      wp[j]! += h;
      wm[j]! -= h;
      return (naiveLoss(A, y, wp) - naiveLoss(A, y, wm)) / (2 * h);
    });
    expectClose(out.subarray(0, 5), fd, { rtol: 1e-6, atol: 1e-7 });
  });

  it('stays finite at huge margins', () => {
    const big = Float64Array.from(w, (v) => v * 1e4);
    const out = logisticGradientInto(A, y, big, new Float64Array(6));
    expect(out.every(Number.isFinite)).toBe(true);
    expect(marginGamma(800)).toBe(0);
  });

  it('loss change at steps equals loss(w + s·p) − loss(w), and resolves tiny changes', () => {
    const p = Float64Array.from([1, 0, -1, 0.5, 0]);
    const steps = Float64Array.from([0, 0.5, 1]);
    const out = logisticLossAtStepsInto(A, y, w, p, steps, new Float64Array(3), 3);
    const f0 = naiveLoss(A, y, w);
    steps.forEach((s, k) => expect(out[k]).toBeCloseTo(3 * (naiveLoss(A, y, Float64Array.from(w, (v, j) => v + s * p[j]!)) - f0), 10));
    // A step of 1e-12: the change is first order, ≈ 1e-12·(∇loss)ᵀp, far below f's round-off.
    const g = logisticGradientInto(A, y, w, new Float64Array(6));
    let slope = 0;
    for (let j = 0; j < 5; j++) slope += g[j]! * p[j]!;
    const tiny = logisticLossAtStepsInto(A, y, w, p, Float64Array.from([1e-12]), new Float64Array(1));
    expect(tiny[0]! / (1e-12 * slope)).toBeCloseTo(1, 6);
  });

  it('local Newton direction solves the block Hessian system', () => {
    const g = Float64Array.from([1, 2, 3, 4, 5]);
    const p = localNewtonInto(A, y, w, g, 0.1, new Float64Array(5));
    // H p should equal g with H = (1/n) Aᵀ diag(γ) A + λ I.
    const Hp = new Float64Array(5);
    for (let i = 0; i < 30; i++) {
      let m = 0;
      let ap = 0;
      for (let j = 0; j < 5; j++) {
        m += A.data[i * 5 + j]! * w[j]!;
        ap += A.data[i * 5 + j]! * p[j]!;
      }
      const gam = marginGamma(y[i]! * m);
      for (let j = 0; j < 5; j++) Hp[j]! += (gam * ap * A.data[i * 5 + j]!) / 30;
    }
    for (let j = 0; j < 5; j++) Hp[j]! += 0.1 * p[j]!;
    expectClose(Hp, g, TOL.solver);
  });
});
