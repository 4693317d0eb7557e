import { inverse, Matrix as MlMatrix } from 'ml-matrix';
import { expect } from 'vitest';
import { NATIVE_INSTALL } from '../../../shared/kernels';
import { jsLinalg, selectLinalg, type Linalg } from '../../../shared/linalg';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';

/** The native backend, or undefined after a loud line (CODA_REQUIRE_NATIVE=1 makes it a failure). */
export function nativeLinalgOrSkip(layer: string): Linalg | undefined {
  const sel = selectLinalg({ backend: 'auto' });
  if (sel.linalg.name === 'native') return sel.linalg;
  const msg = `[${layer}] LAPACK not loaded (${sel.failure}): native linear algebra tests SKIPPED. Build it: ${NATIVE_INSTALL}`;
  if (process.env.CODA_REQUIRE_NATIVE === '1') throw new Error(`${msg} (CODA_REQUIRE_NATIVE=1 makes this a failure)`);
  console.warn(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** Both backends where the native one loads, the js one always. */
export function backends(layer: string): Linalg[] {
  const native = nativeLinalgOrSkip(layer);
  return native ? [native, jsLinalg] : [jsLinalg];
}

export function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

/** The naive references: triple loops, nothing clever. */
export function naiveMul(A: Matrix, B: Matrix): Matrix {
  expect(A.cols).toBe(B.rows);
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++)
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k]! * B.data[k * B.cols + j]!;
      out[i * B.cols + j] = s;
    }
  return { rows: A.rows, cols: B.cols, data: out };
}

export function naiveT(A: Matrix): Matrix {
  const out = new Float64Array(A.rows * A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[j * A.rows + i] = A.data[i * A.cols + j]!;
  return { rows: A.cols, cols: A.rows, data: out };
}

export function eye(n: number): Matrix {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return { rows: n, cols: n, data: I };
}

/** Columns perm[j] of A, in order. */
export function permuteColumns(A: Matrix, perm: Int32Array): Matrix {
  const out = new Float64Array(A.rows * A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[i * A.cols + j] = A.data[i * A.cols + perm[j]!]!;
  return { rows: A.rows, cols: A.cols, data: out };
}

export function frobenius(A: Matrix | Float64Array): number {
  const d = A instanceof Float64Array ? A : A.data;
  return Math.sqrt(d.reduce((s, v) => s + v * v, 0));
}

export function minus(A: Matrix, B: Matrix): Matrix {
  expect([A.rows, A.cols]).toEqual([B.rows, B.cols]);
  return { rows: A.rows, cols: A.cols, data: A.data.map((v, i) => v - B.data[i]!) };
}

/** ‖A − B‖_F ≤ tol·max(1, ‖B‖_F): backward-stable factorizations reproduce A to this. */
export function expectMatrixClose(A: Matrix, B: Matrix, tol: number, what = 'matrix'): void {
  const err = frobenius(minus(A, B));
  expect(err, `${what}: ‖A − B‖_F = ${err.toExponential(2)}`).toBeLessThanOrEqual(tol * Math.max(1, frobenius(B)));
}

/** QᵀQ = I for Q's columns. */
export function expectOrthonormalColumns(Q: Matrix, tol = 1e-12): void {
  expectMatrixClose(naiveMul(naiveT(Q), Q), eye(Q.cols), tol * Math.max(1, Q.rows), 'QᵀQ');
}

export function hilbert(n: number): Matrix {
  return { rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, k) => 1 / (Math.floor(k / n) + (k % n) + 1)) };
}

/** B·Bᵀ + shift·I: symmetric positive definite. */
export function spd(n: number, rng: Rng, shift = 1): Matrix {
  const B = randomMatrix(n, n, rng);
  const S = naiveMul(B, naiveT(B));
  for (let i = 0; i < n; i++) S.data[i * n + i]! += shift;
  return S;
}

/** rows×cols of rank r exactly (a product of Gaussians). */
export function rankDeficient(rows: number, cols: number, r: number, rng: Rng): Matrix {
  return naiveMul(randomMatrix(rows, r, rng), randomMatrix(r, cols, rng));
}

/** The exact 1-norm reciprocal condition number, through ml-matrix's inverse. */
export function exactRcond(A: Matrix): number {
  const n = A.rows;
  const inv = inverse(MlMatrix.from1DArray(n, n, A.data)).to1DArray();
  const norm1 = (d: ArrayLike<number>): number => {
    let m = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(d[i * n + j]!);
      m = Math.max(m, s);
    }
    return m;
  };
  return 1 / (norm1(A.data) * norm1(inv));
}

export const toMl = (A: Matrix): MlMatrix => MlMatrix.from1DArray(A.rows, A.cols, A.data);
export const fromMl = (M: MlMatrix): Matrix => ({ rows: M.rows, cols: M.columns, data: Float64Array.from(M.to1DArray()) });
export { Rng };
