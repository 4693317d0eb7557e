import { CholeskyDecomposition, EigenvalueDecomposition, inverse, LuDecomposition, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { ConvergenceError, InputError, NotPositiveDefiniteError, ShapeError, SingularMatrixError } from '../../../shared/errors';
import { choleskyFactor } from '../../../shared/kernels';
import { EPS, type Linalg } from '../../../shared/linalg';
import type { Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import {
  backends,
  expectMatrixClose,
  expectOrthonormalColumns,
  exactRcond,
  eye,
  fromMl,
  hilbert,
  naiveMul,
  naiveT,
  permuteColumns,
  randomMatrix,
  rankDeficient,
  Rng,
  spd,
  toMl,
} from './helpers';

/**
 * Every Linalg entry point, on each backend (LAPACK through the addon; ml-matrix and plain loops),
 * against a naive reference (the defining identity checked with triple loops) and against
 * ml-matrix, on random, ill-conditioned, rank-deficient, singular, indefinite and non-finite
 * inputs. Backward-stable factorizations reproduce A to a small multiple of ε·‖A‖.
 */
const TOL = 1e-12;
const ORDER = { rtol: 1e-10, atol: 1e-12 };

const copy = (A: Matrix): Matrix => ({ rows: A.rows, cols: A.cols, data: A.data.slice() });

describe.each(backends('linalg factorizations').map((l) => [l.name, l] as const))('%s backend', (_name, la: Linalg) => {
  const rng = new Rng(23);

  describe('matMul and gram', () => {
    it('op(A)·op(B) for every transpose against the triple loop; AᵀA both triangles', () => {
      const A = randomMatrix(7, 5, rng);
      const B = randomMatrix(5, 6, rng);
      expectMatrixClose(la.matMul(A, B), naiveMul(A, B), TOL);
      expectMatrixClose(la.matMul(naiveT(A), B, { transA: true }), naiveMul(A, B), TOL);
      expectMatrixClose(la.matMul(A, naiveT(B), { transB: true }), naiveMul(A, B), TOL);
      expectMatrixClose(la.matMul(naiveT(A), naiveT(B), { transA: true, transB: true }), naiveMul(A, B), TOL);
      expectMatrixClose(la.gram(A), naiveMul(naiveT(A), A), TOL);
      expect(() => la.matMul(A, A)).toThrow(ShapeError);
      expect(la.matMul(randomMatrix(3, 0, rng), randomMatrix(0, 4, rng)).data).toEqual(new Float64Array(12));
    });

    it('weighted Gram scale·Aᵀ·diag(d)·A, negative weights included, against the triple loop', () => {
      const A = randomMatrix(9, 4, rng);
      const d = Float64Array.from({ length: 9 }, (_, i) => (i % 3 === 0 ? -0.5 : 1.5) * (i + 1));
      const DA: Matrix = { rows: 9, cols: 4, data: A.data.map((v, k) => 0.25 * d[Math.floor(k / 4)]! * v) };
      expectMatrixClose(la.gram(A, { weights: d, scale: 0.25 }), naiveMul(naiveT(A), DA), TOL);
      expect(() => la.gram(A, { weights: new Float64Array(8) })).toThrow(ShapeError);
      expect(() => la.gram(A, { weights: new Float64Array(9).fill(NaN) })).toThrow('gram: weights contains NaN at index 0');
      expect(() => la.gram(A, { scale: Infinity })).toThrow(InputError);
    });
  });

  describe('qr', () => {
    for (const [m, n] of [
      [40, 12],
      [20, 20],
      [8, 15],
      [1, 5],
      [6, 1],
    ] as const) {
      it(`${m}×${n}: A[:, perm] = Q·R, Q orthonormal, R upper with non-increasing |R[j,j]|, full rank`, () => {
        const A = randomMatrix(m, n, rng);
        const before = copy(A);
        const { Q, R, perm, rank } = la.qr(A);
        const k = Math.min(m, n);
        expect([Q!.rows, Q!.cols, R.rows, R.cols]).toEqual([m, k, k, n]);
        expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, j) => j));
        expectMatrixClose(naiveMul(Q!, R), permuteColumns(A, perm), TOL, 'Q·R');
        expectOrthonormalColumns(Q!);
        for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) expect(R.data[i * n + j]).toBe(0);
        for (let j = 1; j < k; j++) expect(Math.abs(R.data[j * n + j]!)).toBeLessThanOrEqual(Math.abs(R.data[(j - 1) * n + j - 1]!) * (1 + 1e-12));
        expect(rank).toBe(k);
        expect(A).toEqual(before);
      });
    }

    it('rank-deficient inputs give their rank (numpy matrix_rank tolerance), duplicates and zeros included', () => {
      for (const [m, n, r] of [
        [30, 12, 5],
        [12, 30, 4],
        [25, 25, 24],
        [10, 10, 1],
      ] as const) {
        const A = rankDeficient(m, n, r, rng);
        const f = la.qr(A);
        expect(f.rank, `${m}×${n} of rank ${r}`).toBe(r);
        expectMatrixClose(naiveMul(f.Q!, f.R), permuteColumns(A, f.perm), TOL);
        expect(f.tol).toBeCloseTo(Math.max(m, n) * EPS * Math.abs(f.R.data[0]!), 20);
      }
      const dup = randomMatrix(15, 6, rng);
      for (let i = 0; i < 15; i++) dup.data[i * 6 + 4] = dup.data[i * 6 + 1]!;
      expect(la.qr(dup).rank).toBe(5);
      expect(la.qr({ rows: 4, cols: 3, data: new Float64Array(12) }).rank).toBe(0);
      // The Hilbert matrix of order 12: κ ≈ 1.7e16, numerically rank deficient (numpy: 11).
      expect(la.qr(hilbert(12)).rank).toBeLessThan(12);
    });

    it('without pivoting: the identity perm, and |R| as ml-matrix Householder QR has it; q: false leaves Q out', () => {
      const A = randomMatrix(30, 8, rng);
      const f = la.qr(A, { pivoting: false });
      expect(Array.from(f.perm)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expectMatrixClose(naiveMul(f.Q!, f.R), A, TOL);
      const ml = new QrDecomposition(toMl(A)).upperTriangularMatrix;
      expectClose(
        f.R.data.map((v) => Math.abs(v)),
        Float64Array.from(ml.to1DArray().slice(0, 64), (v) => Math.abs(v)),
        ORDER,
      );
      const r = la.qr(A, { q: false });
      expect(r.Q).toBeNull();
      expect(r.R.data).toEqual(la.qr(A).R.data);
    });
  });

  describe('eigh', () => {
    it('A·V = V·Λ, VᵀV = I, values ascending and equal to ml-matrix; reads the lower triangle only', () => {
      const n = 25;
      const S = spd(n, rng, -20); // symmetric, indefinite
      const junk = copy(S);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) junk.data[i * n + j] = 1e6; // upper triangle ignored
      const { values, vectors } = la.eigh(junk);
      const V = vectors!;
      const VL: Matrix = { rows: n, cols: n, data: V.data.map((v, k) => v * values[k % n]!) };
      expectMatrixClose(naiveMul(S, V), VL, TOL, 'A·V');
      expectOrthonormalColumns(V);
      for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
      const ref = [...new EigenvalueDecomposition(toMl(S), { assumeSymmetric: true }).realEigenvalues].sort((a, b) => a - b);
      expectClose(values, ref, { rtol: 1e-10, atol: 1e-10 * Math.abs(ref[n - 1]!) });
      const only = la.eigh(S, { vectors: false });
      expect(only.vectors).toBeNull();
      expectClose(only.values, values, { rtol: 1e-12, atol: 1e-12 * Math.abs(values[n - 1]!) });
    });
  });

  describe('svd', () => {
    for (const [m, n] of [
      [30, 9],
      [9, 30],
      [12, 12],
    ] as const) {
      it(`${m}×${n}: U·diag(s)·Vt = A thin and full, orthonormal factors, s descending and equal to ml-matrix`, () => {
        const A = randomMatrix(m, n, rng);
        const k = Math.min(m, n);
        const thin = la.svd(A);
        expect([thin.U!.rows, thin.U!.cols, thin.Vt!.rows, thin.Vt!.cols]).toEqual([m, k, k, n]);
        const US: Matrix = { rows: m, cols: k, data: thin.U!.data.map((v, i) => v * thin.s[i % k]!) };
        expectMatrixClose(naiveMul(US, thin.Vt!), A, TOL, 'U·S·Vt');
        expectOrthonormalColumns(thin.U!);
        expectOrthonormalColumns(naiveT(thin.Vt!));
        for (let i = 1; i < k; i++) expect(thin.s[i]!).toBeLessThanOrEqual(thin.s[i - 1]!);
        const ref = new SingularValueDecomposition(toMl(A), { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
        expectClose(thin.s, ref.slice(0, k), ORDER);
        const full = la.svd(A, { vectors: 'full' });
        expect([full.U!.rows, full.U!.cols, full.Vt!.rows, full.Vt!.cols]).toEqual([m, m, n, n]);
        expectOrthonormalColumns(full.U!);
        expectOrthonormalColumns(full.Vt!);
        expectClose(full.s, thin.s, ORDER);
        const none = la.svd(A, { vectors: 'none' });
        expect([none.U, none.Vt]).toEqual([null, null]);
        expectClose(none.s, thin.s, ORDER);
      });
    }
  });

  describe('lu, solve and inv', () => {
    it('P·A = L·U against the triple loop; perm a permutation; rcond within the estimator bound of the exact one', () => {
      const n = 30;
      const A = randomMatrix(n, n, rng);
      const before = copy(A);
      const { LU, perm, rcond } = la.lu(A);
      const L = eye(n);
      const U: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (j < i ? L : U).data[i * n + j] = LU.data[i * n + j]!;
      const PA: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
      for (let i = 0; i < n; i++) PA.data.set(A.data.subarray(perm[i]! * n, perm[i]! * n + n), i * n);
      expectMatrixClose(naiveMul(L, U), PA, TOL, 'L·U');
      expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      // Partial pivoting: |L| ≤ 1.
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(LU.data[i * n + j]!)).toBeLessThanOrEqual(1);
      const exact = exactRcond(A);
      expect(rcond).toBeGreaterThanOrEqual(exact * (1 - 1e-8));
      expect(rcond).toBeLessThanOrEqual(10 * exact);
      expect(A).toEqual(before);
      // ml-matrix's LU: the same U up to rounding when the pivots agree (they do on a random matrix).
      const ml = new LuDecomposition(toMl(A));
      expect(Array.from(perm)).toEqual(ml.pivotPermutationVector);
      expectMatrixClose(U, fromMl(ml.upperTriangularMatrix), 1e-12);
    });

    it('solve: A·X = B (vector and several columns) and equal to ml-matrix; inv: A·A⁻¹ = I and equal to ml-matrix', () => {
      const n = 40;
      const A = randomMatrix(n, n, rng);
      const B = randomMatrix(n, 3, rng);
      const { x, rcond } = la.solve(A, B);
      expect([x.rows, x.cols]).toEqual([n, 3]);
      expectMatrixClose(naiveMul(A, x), B, 1e-10);
      expectMatrixClose(x, fromMl(new LuDecomposition(toMl(A)).solve(toMl(B))), 1e-9);
      const b = B.data.filter((_, i) => i % 3 === 0);
      const xv = la.solve(A, b).x;
      expect([xv.rows, xv.cols]).toEqual([n, 1]);
      expectClose(xv.data, x.data.filter((_, i) => i % 3 === 0), { rtol: 1e-10, atol: 1e-12 });
      const { inverse: X, rcond: r2 } = la.inv(A);
      expectMatrixClose(naiveMul(A, X), eye(n), 1e-10);
      expectMatrixClose(X, fromMl(inverse(toMl(A))), 1e-9);
      expect(r2 / rcond).toBeGreaterThan(0.1);
      expect(r2 / rcond).toBeLessThan(10);
    });

    it('an ill-conditioned but nonsingular A (Hilbert 8, κ ≈ 1.5e10) is solved to its backward error, and rcond says κ', () => {
      const H = hilbert(8);
      const xTrue = Float64Array.from({ length: 8 }, (_, i) => i + 1);
      const b = naiveMul(H, { rows: 8, cols: 1, data: xTrue }).data;
      const { x, rcond } = la.solve(H, b);
      const r = naiveMul(H, x).data.map((v, i) => v - b[i]!);
      expect(Math.max(...r.map(Math.abs))).toBeLessThan(1e-13 * 8);
      expectClose(x.data, xTrue, { rtol: 1e-4, atol: 0 }); // forward error ≈ κ·ε
      expect(1 / rcond).toBeGreaterThan(1e9);
      expect(1 / rcond).toBeLessThan(1e11);
    });

    it('an exactly singular A is refused by solve and inv, naming the zero pivot; lu returns rcond 0', () => {
      const A = randomMatrix(6, 6, rng);
      for (let i = 0; i < 6; i++) A.data[i * 6 + 2] = 0; // a zero column: U[2,2] = 0 exactly
      expect(la.lu(A).rcond).toBe(0);
      for (const f of [() => la.solve(A, new Float64Array(6)), () => la.inv(A)]) {
        expect(f).toThrow(SingularMatrixError);
        expect(f).toThrow(/is singular: U\[2,2\] = 0 exactly/);
      }
    });

    it('a near-singular A is refused as singular to working precision, with its rcond; rcondMin: 0 lets it through', () => {
      const n = 12;
      const A = randomMatrix(n, n, rng);
      // Column 7 = column 3 + 1e-17·noise: κ ≈ 1e17, not exactly singular.
      for (let i = 0; i < n; i++) A.data[i * n + 7] = A.data[i * n + 3]! * (1 + 1e-17 * rng.normal()) + 1e-18 * rng.normal();
      const b = randomMatrix(n, 1, rng);
      for (const f of [() => la.solve(A, b), () => la.inv(A)]) {
        expect(f).toThrow(SingularMatrixError);
        expect(f).toThrow(/singular (to working precision: its reciprocal condition number \(1-norm estimate\) is \d\.\d\de-\d+, below 2\.22e-16|: U\[\d+,\d+\] = 0 exactly)/);
      }
      expect(() => la.solve(hilbert(14), new Float64Array(14))).toThrow(/singular to working precision/);
      // Asked for, the numerically meaningless answer is still computed (numpy's behaviour).
      expect(la.solve(hilbert(14), new Float64Array(14).fill(1), { rcondMin: 0 }).rcond).toBeLessThan(EPS);
      expect(() => la.solve(hilbert(6), new Float64Array(6), { rcondMin: 1e-3 })).toThrow(SingularMatrixError);
    });
  });

  describe('cholesky and solveSpd', () => {
    it('L·Lᵀ = A against the triple loop, equal to the plain-loop factor and ml-matrix; rcond within the estimator bound', () => {
      const n = 30;
      const S = spd(n, rng);
      const { L, rcond } = la.cholesky(S);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L.data[i * n + j]).toBe(0);
      expectMatrixClose(naiveMul(L, naiveT(L)), S, TOL, 'L·Lᵀ');
      expectMatrixClose(L, { rows: n, cols: n, data: choleskyFactor(S.data, n) }, 1e-12);
      expectMatrixClose(L, fromMl(new CholeskyDecomposition(toMl(S)).lowerTriangularMatrix), 1e-12);
      const exact = exactRcond(S);
      expect(rcond).toBeGreaterThanOrEqual(exact * (1 - 1e-8));
      expect(rcond).toBeLessThanOrEqual(10 * exact);
      const B = randomMatrix(n, 2, rng);
      const { x } = la.solveSpd(S, B);
      expectMatrixClose(naiveMul(S, x), B, 1e-10);
    });

    it('a matrix that is not positive definite is refused, naming the leading minor', () => {
      const D: Matrix = { rows: 4, cols: 4, data: Float64Array.from([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, -1, 0, 0, 0, 0, 4]) };
      for (const f of [() => la.cholesky(D), () => la.solveSpd(D, new Float64Array(4))]) {
        expect(f).toThrow(NotPositiveDefiniteError);
        expect(f).toThrow(/is not positive definite: its leading minor of order 3 is not/);
      }
      // A kind of SingularMatrixError (code that falls back to LU on it catches it).
      expect(() => la.cholesky(D)).toThrow(SingularMatrixError);
      const semi = naiveMul(randomMatrix(5, 3, rng), naiveT(randomMatrix(5, 3, rng)));
      expect(() => la.cholesky({ ...semi, data: naiveMul(randomMatrix(5, 3, rng), naiveT(randomMatrix(5, 3, rng))).data })).toThrow(
        NotPositiveDefiniteError,
      );
    });
  });

  describe('lstsq', () => {
    it('full-rank tall A: the normal equations solution, residuals ‖Ax − b‖², rank n, singular values', () => {
      const A = randomMatrix(50, 6, rng);
      const B = randomMatrix(50, 2, rng);
      const r = la.lstsq(A, B);
      expect(r.rank).toBe(6);
      const AtA = naiveMul(naiveT(A), A);
      const AtB = naiveMul(naiveT(A), B);
      expectMatrixClose(r.x, fromMl(new LuDecomposition(toMl(AtA)).solve(toMl(AtB))), 1e-10);
      expectMatrixClose(r.x, fromMl(new QrDecomposition(toMl(A)).solve(toMl(B))), 1e-10);
      for (let j = 0; j < 2; j++) {
        let s = 0;
        for (let i = 0; i < 50; i++) {
          let v = -B.data[i * 2 + j]!;
          for (let c = 0; c < 6; c++) v += A.data[i * 6 + c]! * r.x.data[c * 2 + j]!;
          s += v * v;
        }
        expectClose([r.residuals[j]!], [s], { rtol: 1e-10, atol: 1e-12 });
      }
      expectClose(r.s, la.svd(A, { vectors: 'none' }).s, ORDER);
    });

    it('rank-deficient and wide A: the minimum-norm solution (the pseudoinverse), rank reported, no residuals', () => {
      for (const [m, n, rank] of [
        [30, 10, 4],
        [6, 20, 6],
      ] as const) {
        const A = rankDeficient(m, n, rank, rng);
        const b = randomMatrix(m, 1, rng);
        const r = la.lstsq(A, b.data);
        expect(r.rank).toBe(rank);
        expect(r.residuals.length).toBe(0);
        const pinv = fromMl(new SingularValueDecomposition(toMl(A), { autoTranspose: true }).inverse());
        expectMatrixClose(r.x, naiveMul(pinv, b), 1e-9);
      }
    });
  });

  describe('kernelMatrix', () => {
    it('K[i,j] = k(P_i, C_j) for both kernels against the direct formula; K(X, X) symmetric with ones on the diagonal', () => {
      const P = randomMatrix(37, 5, rng);
      const C = randomMatrix(29, 5, rng);
      for (const kernel of [{ name: 'gaussian', bandwidth: 1.7 }, { name: 'laplacian', bandwidth: 2.5 }] as const) {
        const K = la.kernelMatrix(kernel, P, C);
        expect([K.rows, K.cols]).toEqual([37, 29]);
        const want = new Float64Array(37 * 29);
        for (let i = 0; i < 37; i++) {
          for (let j = 0; j < 29; j++) {
            let d2 = 0;
            for (let t = 0; t < 5; t++) d2 += (P.data[i * 5 + t]! - C.data[j * 5 + t]!) ** 2;
            want[i * 29 + j] = kernel.name === 'gaussian' ? Math.exp(-d2 / (2 * kernel.bandwidth ** 2)) : Math.exp(-Math.sqrt(d2) / kernel.bandwidth);
          }
        }
        expectClose(K.data, want, { rtol: 1e-12, atol: 1e-12 });
        const S = la.kernelMatrix(kernel, P, P);
        // ‖p‖² + ‖p‖² − 2p·p leaves a rounding error of ~1e-15, whose square root the Laplacian
        // kernel sees: its diagonal is 1 to ~1e-8 (the shared kernels' formula, on both backends).
        const diagonal = kernel.name === 'gaussian' ? 12 : 6;
        for (let i = 0; i < 37; i++) {
          expect(S.data[i * 37 + i]).toBeCloseTo(1, diagonal);
          for (let j = 0; j < i; j++) expect(S.data[i * 37 + j]).toBeCloseTo(S.data[j * 37 + i]!, 13);
        }
      }
    });

    it('kernelPredict: K(P, C)·W for several columns, blocks of rows included, equals kernelMatrix then the triple loop', () => {
      const P = randomMatrix(300, 4, rng); // more rows than one block
      const C = randomMatrix(41, 4, rng);
      const W = randomMatrix(41, 3, rng);
      const kernel = { name: 'gaussian', bandwidth: 2 } as const;
      const F = la.kernelPredict(kernel, P, C, W);
      expect([F.rows, F.cols]).toEqual([300, 3]);
      expectClose(F.data, naiveMul(la.kernelMatrix(kernel, P, C), W).data, { rtol: 1e-12, atol: 1e-12 });
      expect(() => la.kernelPredict(kernel, P, C, randomMatrix(40, 3, rng))).toThrow(ShapeError);
      expect(la.kernelPredict(kernel, P, C, randomMatrix(41, 0, rng))).toMatchObject({ rows: 300, cols: 0 });
    });

    it('refuses an unknown kernel, a bad bandwidth, NaN points and mismatched features', () => {
      const P = randomMatrix(4, 3, rng);
      expect(() => la.kernelMatrix({ name: 'cosine' as 'gaussian', bandwidth: 1 }, P, P)).toThrow(InputError);
      expect(() => la.kernelMatrix({ name: 'gaussian', bandwidth: 0 }, P, P)).toThrow(InputError);
      const nan = copy(P);
      nan.data[5] = NaN;
      expect(() => la.kernelMatrix({ name: 'gaussian', bandwidth: 1 }, nan, P)).toThrow('kernelMatrix: P contains NaN at row 1, column 2');
      expect(() => la.kernelMatrix({ name: 'gaussian', bandwidth: 1 }, P, randomMatrix(4, 2, rng))).toThrow(ShapeError);
    });
  });

  describe('bad input', () => {
    const A = randomMatrix(5, 5, rng);
    const nan = copy(A);
    nan.data[2 * 5 + 3] = NaN;
    const inf = copy(A);
    inf.data[4] = -Infinity;
    const calls: [string, (M: Matrix) => unknown][] = [
      ['matMul', (M) => la.matMul(M, A)],
      ['gram', (M) => la.gram(M)],
      ['qr', (M) => la.qr(M)],
      ['eigh', (M) => la.eigh(M)],
      ['svd', (M) => la.svd(M)],
      ['lu', (M) => la.lu(M)],
      ['solve', (M) => la.solve(M, new Float64Array(5))],
      ['inv', (M) => la.inv(M)],
      ['cholesky', (M) => la.cholesky(M)],
      ['solveSpd', (M) => la.solveSpd(M, new Float64Array(5))],
      ['lstsq', (M) => la.lstsq(M, new Float64Array(5))],
    ];
    for (const [op, f] of calls) {
      it(`${op}: NaN and ±Infinity are InputErrors naming the entry; a malformed matrix is a ShapeError`, () => {
        expect(() => f(nan)).toThrow(InputError);
        expect(() => f(nan)).toThrow(`${op}: A contains NaN at row 2, column 3`);
        expect(() => f(inf)).toThrow(`${op}: A contains -Infinity at row 0, column 4`);
        expect(() => f({ rows: 5, cols: 5, data: new Float64Array(7) })).toThrow(ShapeError);
      });
    }
    it('non-square where square is needed, mismatched right-hand sides, bad tolerances', () => {
      const W = randomMatrix(4, 6, rng);
      for (const f of [() => la.lu(W), () => la.eigh(W), () => la.inv(W), () => la.cholesky(W), () => la.solve(W, new Float64Array(4))]) {
        expect(f).toThrow(ShapeError);
        expect(f).toThrow(/4×6, not square/);
      }
      expect(() => la.solve(A, new Float64Array(4))).toThrow(/A has 5 rows but B has 4/);
      expect(() => la.lstsq(W, randomMatrix(5, 2, rng))).toThrow(ShapeError);
      expect(() => la.solve(A, new Float64Array(5).fill(NaN))).toThrow('solve: B contains NaN at row 0, column 0');
      expect(() => la.qr(A, { rtol: -1 })).toThrow(InputError);
      expect(() => la.solve(A, new Float64Array(5), { rcondMin: NaN })).toThrow(InputError);
      expect(() => la.svd(A, { vectors: 'some' as 'thin' })).toThrow(ShapeError);
    });
  });

  it('sizes beyond one 32×32 transpose tile (and not a multiple of it): every factorization reproduces A', () => {
    const n = 71;
    const A = randomMatrix(n, n, rng);
    const T = randomMatrix(103, 45, rng);
    const S = spd(n, rng);
    const q = la.qr(T);
    expectMatrixClose(naiveMul(q.Q!, q.R), permuteColumns(T, q.perm), TOL);
    const e = la.eigh(S);
    expectMatrixClose(naiveMul(S, e.vectors!), { rows: n, cols: n, data: e.vectors!.data.map((v, k) => v * e.values[k % n]!) }, TOL);
    const f = la.svd(T);
    expectMatrixClose(naiveMul({ rows: 103, cols: 45, data: f.U!.data.map((v, k) => v * f.s[k % 45]!) }, f.Vt!), T, TOL);
    const l = la.lu(A);
    const L = eye(n);
    const U: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (j < i ? L : U).data[i * n + j] = l.LU.data[i * n + j]!;
    expectMatrixClose(naiveMul(L, U), { rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, k) => A.data[l.perm[Math.floor(k / n)]! * n + (k % n)]!) }, TOL);
    expectMatrixClose(naiveMul(A, la.inv(A).inverse), eye(n), 1e-10);
    const B = randomMatrix(n, 37, rng);
    expectMatrixClose(naiveMul(A, la.solve(A, B).x), B, 1e-10);
    const c = la.cholesky(S).L;
    expectMatrixClose(naiveMul(c, naiveT(c)), S, TOL);
    expectMatrixClose(naiveMul(S, la.solveSpd(S, B).x), B, 1e-10);
    const ls = la.lstsq(T, randomMatrix(103, 33, rng));
    expect([ls.x.rows, ls.x.cols, ls.rank]).toEqual([45, 33, 45]);
  });

  it('empty matrices follow numpy: no work, the shapes it gives', () => {
    const E0: Matrix = { rows: 0, cols: 0, data: new Float64Array(0) };
    const tall: Matrix = { rows: 3, cols: 0, data: new Float64Array(0) };
    expect(la.qr(tall)).toMatchObject({ rank: 0, R: { rows: 0, cols: 0 }, Q: { rows: 3, cols: 0 } });
    expect(la.eigh(E0).values.length).toBe(0);
    expect(la.svd(tall, { vectors: 'full' }).U).toEqual(eye(3));
    expect(la.lu(E0).LU.rows).toBe(0);
    expect(la.inv(E0).inverse.rows).toBe(0);
    expect(la.solve(E0, new Float64Array(0)).x).toMatchObject({ rows: 0, cols: 1 });
    expect(la.cholesky(E0).L.rows).toBe(0);
    const ls = la.lstsq(tall, Float64Array.from([1, 2, 2]));
    expect([ls.rank, ls.x.rows, Array.from(ls.residuals)]).toEqual([0, 0, [9]]);
    expect(la.solve(randomMatrix(3, 3, rng), { rows: 3, cols: 0, data: new Float64Array(0) }).x).toMatchObject({ rows: 3, cols: 0 });
  });
});

it('ConvergenceError is a typed error of its own', () => {
  expect(new ConvergenceError('x')).toBeInstanceOf(Error);
  expect(new ConvergenceError('x').name).toBe('ConvergenceError');
});
