import { ShapeError } from '../../shared/errors';
import { marginBeta, marginGamma, marginLoss, marginLossChange, matVec, matTVec, norm2 } from '../../shared/kernels';
import type { Matrix } from '../../shared/tensor';

/**
 * What the master needs of f(w) = (1/n) Σ log(1 + exp(−yᵢxᵢᵀw)) + (λ/2)‖w‖² once it knows the
 * margins' raw products α = Xw (from a coded product): everything here is O(n) or O(d).
 */
export interface LogisticModel {
  y: Float64Array;
  n: number;
  d: number;
  lambda: number;
}

export interface AtMargins {
  f: number;
  /** βᵢ = −yᵢ/(1 + e^{yᵢαᵢ}): ∇f = (1/n) Xᵀβ + λw. */
  beta: Float64Array;
  /** γᵢ = e^{yᵢαᵢ}/(1 + e^{yᵢαᵢ})²: ∇²f = (1/n) Xᵀdiag(γ)X + λI. */
  gamma: Float64Array;
  /** Fraction of rows misclassified by sign(αᵢ), +1 on a tie. */
  trainError: number;
}

export function sqNorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

export function atMargins(model: LogisticModel, alpha: Float64Array, w: Float64Array): AtMargins {
  const { y, n, lambda } = model;
  if (alpha.length !== n) throw new ShapeError(`logistic: ${alpha.length} margins for ${n} examples`);
  const beta = new Float64Array(n);
  const gamma = new Float64Array(n);
  let loss = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const m = y[i]! * alpha[i]!;
    loss += marginLoss(m);
    beta[i] = marginBeta(y[i]!, m);
    gamma[i] = marginGamma(m);
    if ((alpha[i]! >= 0 ? 1 : -1) !== y[i]) wrong++; // predict +1 on a tie (w = 0 scores 50% on balanced labels, not 100%)
  }
  return { f: loss / n + 0.5 * lambda * sqNorm(w), beta, gamma, trainError: wrong / n };
}

/**
 * f(w + s·p) − f(w) from α = Xw and δ = Xp, without cancellation: the line search's test when
 * the decrease is far below f's round-off (near the optimum, where Newton's last steps live).
 */
export function objectiveChange(model: LogisticModel, alpha: Float64Array, delta: Float64Array, w: Float64Array, p: Float64Array, s: number): number {
  const { y, n, lambda } = model;
  let data = 0;
  for (let i = 0; i < n; i++) data += marginLossChange(y[i]! * alpha[i]!, s * y[i]! * delta[i]!);
  let wp = 0;
  for (let j = 0; j < w.length; j++) wp += w[j]! * p[j]!;
  return data / n + lambda * (s * wp + 0.5 * s * s * sqNorm(p));
}

/** f, ∇f and the error rate at w, straight from the data (the master's reference and monitoring). */
export function evaluateAt(X: Matrix, y: Float64Array, lambda: number, w: Float64Array): { f: number; grad: Float64Array; gradNorm: number; error: number } {
  const model = { y, n: X.rows, d: X.cols, lambda };
  const alpha = matVec(X, w, new Float64Array(X.rows));
  const at = atMargins(model, alpha, w);
  const grad = matTVec(X, at.beta, new Float64Array(X.cols));
  for (let j = 0; j < X.cols; j++) grad[j] = grad[j]! / X.rows + lambda * w[j]!;
  return { f: at.f, grad, gradNorm: norm2(grad), error: at.trainError };
}
