import { ShapeError } from '../errors';
import type { Matrix } from '../tensor';

/**
 * The argument checks of the hot kernels, shared by both backends so a mismatch is the same
 * ShapeError with the same message whichever backend runs (the native one must never hand BLAS
 * a length it would read past).
 */

/** A Matrix whose data does not hold rows×cols values (a hand-built one) is refused. */
export function checkMatrix(fn: string, name: string, A: Matrix): void {
  if (!Number.isInteger(A.rows) || !Number.isInteger(A.cols) || A.rows < 0 || A.cols < 0 || A.data.length < A.rows * A.cols) {
    throw new ShapeError(`${fn}: ${name} is ${A.rows}×${A.cols} but holds ${A.data.length} values`);
  }
}

export function checkMatVec(A: Matrix, x: Float64Array, out: Float64Array): void {
  checkMatrix('matVec', 'A', A);
  if (x.length !== A.cols) throw new ShapeError(`matVec: A is ${A.rows}×${A.cols}, x has ${x.length}`);
  if (out.length !== A.rows) throw new ShapeError(`matVec: out has ${out.length}, A has ${A.rows} rows`);
}

export function checkMatTVec(A: Matrix, v: Float64Array, out: Float64Array): void {
  checkMatrix('matTVec', 'A', A);
  if (v.length !== A.rows) throw new ShapeError(`matTVec: A is ${A.rows}×${A.cols}, v has ${v.length}`);
  if (out.length !== A.cols) throw new ShapeError(`matTVec: out has ${out.length}, A has ${A.cols} columns`);
}

export function checkLsGradient(A: Matrix, b: Float64Array, x: Float64Array, out: Float64Array): void {
  checkMatrix('lsGradient', 'A', A);
  if (x.length !== A.cols) throw new ShapeError(`lsGradient: A is ${A.rows}×${A.cols}, x has ${x.length}`);
  if (b.length !== A.rows) throw new ShapeError(`lsGradient: A has ${A.rows} rows, b has ${b.length}`);
  if (out.length !== A.cols) throw new ShapeError(`lsGradient: out has ${out.length}, A has ${A.cols} columns`);
}

/** `points` iterates stacked row after row in X (points × cols), one gradient each in out. */
export function checkLsGradientStacked(A: Matrix, b: Float64Array, X: Float64Array, points: number, out: Float64Array): void {
  checkMatrix('lsGradient', 'A', A);
  if (!Number.isInteger(points) || points < 0) throw new ShapeError(`lsGradient: ${points} points is not a count`);
  if (X.length !== points * A.cols) throw new ShapeError(`lsGradient: ${points} points of ${A.cols} need ${points * A.cols} values, X has ${X.length}`);
  if (b.length !== A.rows) throw new ShapeError(`lsGradient: A has ${A.rows} rows, b has ${b.length}`);
  if (out.length !== points * A.cols) throw new ShapeError(`lsGradient: out has ${out.length}, ${points} points of ${A.cols} need ${points * A.cols}`);
}

export function checkGram(A: Matrix, d: Float64Array | undefined, out: Float64Array): void {
  checkMatrix('gram', 'A', A);
  if (d && d.length !== A.rows) throw new ShapeError(`gram: A has ${A.rows} rows, d has ${d.length}`);
  if (out.length !== A.cols * A.cols) throw new ShapeError(`gram: out has ${out.length}, need ${A.cols * A.cols}`);
}

/** k vectors stacked in X, each of length `len`, and k results of length `outLen` in out. */
export function checkStacked(fn: string, X: Float64Array, k: number, len: number, out: Float64Array, outLen: number): void {
  if (!Number.isInteger(k) || k < 0) throw new ShapeError(`${fn}: ${k} vectors is not a count`);
  if (X.length < k * len) throw new ShapeError(`${fn}: ${k} vectors of ${len} need ${k * len} values, got ${X.length}`);
  if (out.length < k * outLen) throw new ShapeError(`${fn}: out holds ${out.length} values, ${k} results of ${outLen} need ${k * outLen}`);
}

export function checkKernelRows(
  P: Matrix,
  rows: ArrayLike<number>,
  C: Matrix,
  out: Float64Array | undefined,
  pNorms: Float64Array | undefined,
  cNorms: Float64Array | undefined,
): void {
  checkMatrix('kernelRows', 'P', P);
  checkMatrix('kernelRows', 'C', C);
  if (P.cols !== C.cols) throw new ShapeError(`kernelRows: points have ${P.cols} features, centers ${C.cols}`);
  if (out && out.length < rows.length * C.rows) throw new ShapeError(`kernelRows: output holds ${out.length} values, need ${rows.length * C.rows}`);
  if (pNorms && pNorms.length < P.rows) throw new ShapeError(`kernelRows: ${pNorms.length} norms for ${P.rows} points`);
  if (cNorms && cNorms.length < C.rows) throw new ShapeError(`kernelRows: ${cNorms.length} norms for ${C.rows} centers`);
}

/** Row indices of a kernel block must name rows of P. */
export function checkRowIndex(i: number, rows: number): void {
  if (!(i >= 0 && i < rows && Number.isInteger(i))) throw new ShapeError(`kernelRows: row ${i} is outside [0, ${rows})`);
}

export function checkLogisticGradient(A: Matrix, y: Float64Array, w: Float64Array, out: Float64Array): void {
  checkMatrix('logisticGradient', 'A', A);
  if (y.length !== A.rows) throw new ShapeError(`logisticGradient: ${y.length} labels for ${A.rows} rows`);
  if (w.length !== A.cols) throw new ShapeError(`logisticGradient: w has ${w.length} values, A has ${A.cols} columns`);
  if (out.length !== A.cols + 1) throw new ShapeError(`logisticGradient: out has ${out.length} values, expected ${A.cols + 1}`);
}

export function checkLogisticLoss(A: Matrix, y: Float64Array, w: Float64Array, p: Float64Array, steps: Float64Array, out: Float64Array): void {
  checkMatrix('logisticLoss', 'A', A);
  const { rows, cols } = A;
  if (y.length !== rows || w.length !== cols || p.length !== cols || out.length !== steps.length) {
    throw new ShapeError(`logisticLoss: shapes do not match (rows ${rows}, cols ${cols}, y ${y.length}, w ${w.length}, p ${p.length}, steps ${steps.length}, out ${out.length})`);
  }
}

export function checkLocalNewton(A: Matrix, y: Float64Array, w: Float64Array, g: Float64Array, out: Float64Array): void {
  checkMatrix('localNewton', 'A', A);
  const { rows, cols } = A;
  if (y.length !== rows || w.length !== cols || g.length !== cols || out.length !== cols) {
    throw new ShapeError(`localNewton: shapes do not match (rows ${rows}, cols ${cols})`);
  }
}

export function checkCholesky(H: Float64Array, d: number): void {
  if (!Number.isInteger(d) || d < 0 || H.length !== d * d) throw new ShapeError(`cholesky: matrix has ${H.length} values, expected ${d}×${d}`);
}

export function checkRightHandSide(b: Float64Array, d: number): void {
  if (b.length !== d) throw new ShapeError(`cholesky: right-hand side has ${b.length} values, expected ${d}`);
}
