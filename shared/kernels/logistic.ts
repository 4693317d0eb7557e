import type { Matrix } from '../tensor';
import { gram, matVec } from './blas';
import { solveSpd } from './cholesky';
import { checkLocalNewton, checkLogisticGradient, checkLogisticLoss } from './shape-checks';

/**
 * Regularized logistic regression, f(w) = (1/n) Σ log(1 + exp(−yᵢ xᵢᵀw)) + (λ/2)‖w‖², labels ±1,
 * in terms of the margins mᵢ = yᵢ xᵢᵀw (evaluated without overflow for any margin):
 *   loss  log(1 + e^{−m}),   βᵢ = −yᵢ / (1 + e^{m})   (∇f = (1/n) Xᵀβ + λw),
 *   γᵢ = e^{m} / (1 + e^{m})²   (∇²f = (1/n) Xᵀ diag(γ) X + λI).
 */

/** log(1 + e^z) without overflow. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e^{−z}). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Loss of one example from its margin y·xᵀw. */
export function marginLoss(m: number): number {
  return log1pExp(-m);
}

/** βᵢ = −y / (1 + e^{m}). */
export function marginBeta(y: number, m: number): number {
  return -y * sigmoid(-m);
}

/** γ = σ(m)σ(−m), the Hessian weight (symmetric in m). */
export function marginGamma(m: number): number {
  const s = sigmoid(m);
  return s * (1 - s);
}

function rowDot(data: Float64Array, off: number, cols: number, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += data[off + j]! * v[j]!;
  return s;
}

/**
 * out (cols + 1) (+)= weight · [Aᵀβ ; Σ loss] over the block's rows (labels y): the unnormalized
 * data part of the gradient and objective, so partial results from row blocks add up.
 */
export function logisticGradientInto(A: Matrix, y: Float64Array, w: Float64Array, out: Float64Array, weight = 1): Float64Array {
  checkLogisticGradient(A, y, w, out);
  const { rows, cols, data } = A;
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    const yi = y[i]!;
    const m = yi * rowDot(data, off, cols, w);
    loss += marginLoss(m);
    const b = weight * marginBeta(yi, m);
    if (b === 0) continue;
    for (let j = 0; j < cols; j++) out[j]! += b * data[off + j]!;
  }
  out[cols]! += weight * loss;
  return out;
}

/**
 * loss(m + t) − loss(m) without cancellation: log1p(σ(−m)·expm1(−t)). A line search near the
 * optimum compares decreases of ~1e-16·f, which f(w + sp) − f(w) computed as a difference of two
 * sums cannot resolve; this can.
 */
export function marginLossChange(m: number, t: number): number {
  return Math.log1p(sigmoid(-m) * Math.expm1(-t));
}

/**
 * out[k] (+)= weight · Σᵢ [loss(yᵢxᵢᵀ(w + steps[k]·p)) − loss(yᵢxᵢᵀw)]: a line search's change of
 * the data term on local rows, accurate even when it is tiny (see marginLossChange).
 */
export function logisticLossAtStepsInto(
  A: Matrix,
  y: Float64Array,
  w: Float64Array,
  p: Float64Array,
  steps: Float64Array,
  out: Float64Array,
  weight = 1,
): Float64Array {
  return logisticLossAtStepsWith(PLAIN, A, y, w, p, steps, out, weight);
}

/** The products a backend lends the logistic kernels below (the plain loops or BLAS). */
export interface LogisticPrimitives {
  matVec: typeof matVec;
  gram: typeof gram;
  solveSpd: typeof solveSpd;
}
const PLAIN: LogisticPrimitives = { matVec, gram, solveSpd };

/** logisticLossAtStepsInto on a backend's matrix-vector product. */
export function logisticLossAtStepsWith(
  k: LogisticPrimitives,
  A: Matrix,
  y: Float64Array,
  w: Float64Array,
  p: Float64Array,
  steps: Float64Array,
  out: Float64Array,
  weight: number,
): Float64Array {
  checkLogisticLoss(A, y, w, p, steps, out);
  const rows = A.rows;
  const aw = k.matVec(A, w, new Float64Array(rows));
  const ap = k.matVec(A, p, new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const yi = y[i]!;
    const a = yi * aw[i]!;
    const q = yi * ap[i]!;
    for (let t = 0; t < steps.length; t++) out[t]! += weight * marginLossChange(a, steps[t]! * q);
  }
  return out;
}

/**
 * GIANT's local Newton direction on one block: H⁻¹g with H = (1/rows) Aᵀdiag(γ)A + λI at w
 * (the block's own Hessian estimate of the full one), added to out with `weight`.
 */
export function localNewtonInto(
  A: Matrix,
  y: Float64Array,
  w: Float64Array,
  g: Float64Array,
  lambda: number,
  out: Float64Array,
  weight = 1,
): Float64Array {
  return localNewtonWith(PLAIN, A, y, w, g, lambda, out, weight);
}

/** localNewtonInto on a backend's products: margins, the weighted Gram (dsyrk) and the SPD solve. */
export function localNewtonWith(
  k: LogisticPrimitives,
  A: Matrix,
  y: Float64Array,
  w: Float64Array,
  g: Float64Array,
  lambda: number,
  out: Float64Array,
  weight: number,
): Float64Array {
  checkLocalNewton(A, y, w, g, out);
  const { rows, cols } = A;
  const gamma = k.matVec(A, w, new Float64Array(rows));
  for (let i = 0; i < rows; i++) gamma[i] = marginGamma(y[i]! * gamma[i]!);
  const H = k.gram(A, gamma, new Float64Array(cols * cols));
  for (let t = 0; t < H.length; t++) H[t]! /= rows;
  for (let j = 0; j < cols; j++) H[j * cols + j]! += lambda;
  const p = k.solveSpd(H, cols, g);
  for (let j = 0; j < cols; j++) out[j]! += weight * p[j]!;
  return out;
}
