import type { ColumnStats } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import { corollary2AsStated, corollary2Derived, proposition1, type ErrorBound } from './bounds';
import type { InverseProblem } from './problem';
import { spectralNorm, type Reference } from './reference';

/**
 * The paper's error measures for an estimate Â of X = A⁻¹ or A† (squared, as the paper defines
 * them), plus what needs no reference: the residual ‖AÂ − I‖_F (inverse) or ‖ÂA − I‖_F
 * (pseudoinverse).
 */
export interface InverseErrors {
  /** err_ℓ2 = ‖Â − X‖₂² (with a reference). */
  l2?: number;
  /** err_F = ‖Â − X‖_F². */
  frobenius?: number;
  /** err_rF = ‖Â − X‖_F² / ‖X‖_F². */
  relativeFrobenius?: number;
  /** √err_rF = ‖Â − X‖_F / ‖X‖_F: the unsquared relative error. */
  relativeFrobeniusNorm?: number;
  residualFrobenius: number;
}

/** The errors; the products and the spectral norm run on `la` (the master's linear-algebra thread). */
export async function inverseErrors(la: AsyncLinalg, p: InverseProblem, estimate: Matrix, ref?: Reference): Promise<InverseErrors> {
  const product = p.kind === 'inverse' ? await la.matMul(p.A, estimate) : await la.matMul(estimate, p.A);
  let res = 0;
  for (let i = 0; i < product.rows; i++) {
    for (let j = 0; j < product.cols; j++) {
      const v = product.data[i * product.cols + j]! - (i === j ? 1 : 0);
      res += v * v;
    }
  }
  const out: InverseErrors = { residualFrobenius: Math.sqrt(res) };
  if (!ref) return out;
  const diff = new Float64Array(estimate.data.length);
  let dd = 0;
  let xx = 0;
  for (let i = 0; i < diff.length; i++) {
    const d = estimate.data[i]! - ref.exact.data[i]!;
    diff[i] = d;
    dd += d * d;
    xx += ref.exact.data[i]! ** 2;
  }
  out.frobenius = dd;
  out.relativeFrobenius = dd / xx;
  out.relativeFrobeniusNorm = Math.sqrt(dd / xx);
  out.l2 = (await spectralNorm(la, { rows: estimate.rows, cols: estimate.cols, data: diff })) ** 2;
  return out;
}

export interface BoundCheck extends ErrorBound {
  /** Whether the run's squared errors are within the bound (when a reference exists). */
  holds?: boolean;
}

/** The bound(s) of Prop. 1 (inverse) or Cor. 2 (pseudoinverse) for the run's ε. */
export function errorBounds(p: InverseProblem, eps: number, sigmaMin: number, sigmaMax: number, errors: InverseErrors): BoundCheck[] {
  const bounds =
    p.kind === 'inverse'
      ? [proposition1(p.A.rows, eps, sigmaMin)]
      : [corollary2AsStated(p.A.cols, eps, sigmaMin, sigmaMax), corollary2Derived(p.A.cols, eps, sigmaMin, sigmaMax)];
  return bounds.map((b) => ({
    ...b,
    ...(errors.frobenius !== undefined && errors.relativeFrobenius !== undefined
      ? { holds: errors.frobenius <= b.frobenius && errors.relativeFrobenius <= b.relativeFrobenius }
      : {}),
  }));
}

export interface IterationSummary {
  perColumn: number[];
  min: number;
  median: number;
  max: number;
  total: number;
  /** Columns that reached ‖∇f‖ ≤ ε (the bounds assume all of them did). */
  converged: number;
  maxGradientNorm: number;
}

export function iterationSummary(stats: readonly ColumnStats[]): IterationSummary {
  const its = stats.map((s) => s.iterations);
  const sorted = [...its].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    perColumn: its,
    min: sorted[0] ?? 0,
    median: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    max: sorted[sorted.length - 1] ?? 0,
    total: its.reduce((a, b) => a + b, 0),
    converged: stats.filter((s) => s.converged).length,
    maxGradientNorm: Math.max(...stats.map((s) => s.gradientNorm)),
  };
}
