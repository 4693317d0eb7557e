import { InputError, ShapeError } from '../errors';
import { checkKernel, type KernelFn } from '../kernels/kernel-rows';
import { checkMatrix } from '../kernels/shape-checks';
import { assertFinite, type Matrix } from '../tensor';

/**
 * The argument checks both backends share, so a bad argument is the same typed error with the
 * same message whichever backend (or thread) runs: shapes (ShapeError), NaN and ±Infinity
 * (InputError: LAPACK would return garbage or loop), options (InputError).
 */

/** Machine epsilon, 2⁻⁵²: numpy's finfo(float64).eps. */
export const EPS = Number.EPSILON;

/** A's first rows×cols values (a Matrix may sit on a longer array). */
export function valuesOf(A: Matrix): Float64Array {
  const n = A.rows * A.cols;
  return A.data.length === n ? A.data : A.data.subarray(0, n);
}

/** A well-formed matrix of finite values. */
export function checkInput(op: string, name: string, A: Matrix): void {
  if (A === null || typeof A !== 'object' || !(A.data instanceof Float64Array)) throw new ShapeError(`${op}: ${name} must be a matrix of float64 values`);
  checkMatrix(op, name, A);
  assertFinite(valuesOf(A), `${op}: ${name}`, A.cols);
}

export function checkSquare(op: string, A: Matrix): void {
  checkInput(op, 'A', A);
  if (A.rows !== A.cols) throw new ShapeError(`${op}: A is ${A.rows}×${A.cols}, not square`);
}

/** B as a matrix (a vector is one column), with as many rows as A. */
export function rightHandSide(op: string, A: Matrix, B: Matrix | Float64Array): Matrix {
  const M: Matrix = B instanceof Float64Array ? { rows: B.length, cols: 1, data: B } : B;
  checkInput(op, 'B', M);
  if (M.rows !== A.rows) throw new ShapeError(`${op}: A has ${A.rows} rows but B has ${M.rows}`);
  return M;
}

/** Gram's options: weights one per row of A, finite; a finite scale. */
export function gramOptions(A: Matrix, o: { weights?: Float64Array; scale?: number }): { d: Float64Array | undefined; w: number } {
  if (o.weights !== undefined) {
    if (!(o.weights instanceof Float64Array)) throw new ShapeError('gram: weights must be a Float64Array');
    if (o.weights.length !== A.rows) throw new ShapeError(`gram: A has ${A.rows} rows but ${o.weights.length} weights`);
    assertFinite(o.weights, 'gram: weights');
  }
  const w = o.scale ?? 1;
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new InputError(`gram: scale must be a finite number, got ${String(w)}`);
  return { d: o.weights, w };
}

/** A tolerance option: a finite number ≥ 0, or the default. */
export function tolerance(op: string, name: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InputError(`${op}: ${name} must be a finite number ≥ 0, got ${String(value)}`);
  return value;
}

export const fmtShape = (A: Matrix): string => `${A.rows}×${A.cols}`;

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): Matrix {
  const I = zeros(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

/** The numerical rank from R's diagonal: |R[j,j]| > rtol·max|R[j,j]|. */
export function rankOfR(R: Matrix, rtol: number): { rank: number; tol: number } {
  const k = Math.min(R.rows, R.cols);
  let max = 0;
  for (let j = 0; j < k; j++) max = Math.max(max, Math.abs(R.data[j * R.cols + j]!));
  const tol = rtol * max;
  let rank = 0;
  for (let j = 0; j < k; j++) if (Math.abs(R.data[j * R.cols + j]!) > tol) rank++;
  return { rank, tol };
}

/** The refusal of a solve or inverse, the same words on both backends. */
export function singularMessage(op: string, A: Matrix, how: { zeroPivot?: number; rcond?: number; rcondMin?: number }): string {
  if (how.zeroPivot !== undefined) {
    return `${op}: A (${fmtShape(A)}) is singular: U[${how.zeroPivot},${how.zeroPivot}] = 0 exactly in its LU factorization with partial pivoting`;
  }
  return (
    `${op}: A (${fmtShape(A)}) is singular to working precision: its reciprocal condition number ` +
    `(1-norm estimate) is ${how.rcond!.toExponential(2)}, below ${how.rcondMin!.toExponential(2)}`
  );
}

export function notPositiveDefiniteMessage(op: string, A: Matrix, order: number): string {
  return `${op}: A (${fmtShape(A)}) is not positive definite: its leading minor of order ${order} is not`;
}

/** kernelMatrix's arguments: a known kernel with a positive bandwidth, finite points and centers with as many features. */
export function checkKernelMatrix(kernel: KernelFn, P: Matrix, C: Matrix, op = 'kernelMatrix'): KernelFn {
  const k = checkKernel(kernel);
  checkInput(op, 'P', P);
  checkInput(op, 'C', C);
  if (P.cols !== C.cols) throw new ShapeError(`${op}: points have ${P.cols} features, centers ${C.cols}`);
  return k;
}

/** kernelPredict's arguments: kernelMatrix's, and finite weights with a row per center. */
export function checkKernelPredict(kernel: KernelFn, P: Matrix, C: Matrix, W: Matrix): KernelFn {
  const k = checkKernelMatrix(kernel, P, C, 'kernelPredict');
  checkInput('kernelPredict', 'W', W);
  if (W.rows !== C.rows) throw new ShapeError(`kernelPredict: W has ${W.rows} rows for ${C.rows} centers`);
  return k;
}

/** A's first rows×cols values as a Matrix of exactly that length. */
export const exact = (A: Matrix): Matrix => ({ rows: A.rows, cols: A.cols, data: valuesOf(A) });
