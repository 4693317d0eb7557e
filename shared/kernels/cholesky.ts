import { SingularMatrixError } from '../errors';
import { checkCholesky, checkRightHandSide } from './shape-checks';

/**
 * Cholesky factorization and solve for small dense SPD systems (d×d, row-major): the Newton
 * step at the master and GIANT's local step on a worker. Ours rather than ml-matrix's so the
 * worker solves on Float64Array without conversions, and a non-SPD matrix is a typed error.
 */

/** L (lower, row-major, upper part zero) with H = L Lᵀ; SingularMatrixError when H is not SPD. */
export function choleskyFactor(H: Float64Array, d: number): Float64Array {
  const { L, failedPivot, pivotValue } = choleskyLower(H, d);
  if (failedPivot >= 0) throw new SingularMatrixError(`cholesky: matrix is not positive definite (pivot ${failedPivot} is ${pivotValue})`);
  return L;
}

/**
 * The factorization without the throw: L so far, and the first pivot j whose value s is not
 * positive (failedPivot −1 when H is SPD), i.e. the leading minor of order j + 1 is not positive
 * definite. Reads H's lower triangle.
 */
export function choleskyLower(H: Float64Array, d: number): { L: Float64Array; failedPivot: number; pivotValue: number } {
  checkCholesky(H, d);
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = H[j * d + j]!;
    const rj = j * d;
    for (let k = 0; k < j; k++) s -= L[rj + k]! * L[rj + k]!;
    if (!(s > 0)) return { L, failedPivot: j, pivotValue: s };
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      let t = H[ri + j]!;
      for (let k = 0; k < j; k++) t -= L[ri + k]! * L[rj + k]!;
      L[ri + j] = t / ljj;
    }
  }
  return { L, failedPivot: -1, pivotValue: NaN };
}

/** Solves L Lᵀ x = b given the factor from choleskyFactor. */
export function choleskySolveFactored(L: Float64Array, d: number, b: Float64Array, out = new Float64Array(d)): Float64Array {
  checkRightHandSide(b, d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    const ri = i * d;
    for (let k = 0; k < i; k++) s -= L[ri + k]! * out[k]!;
    out[i] = s / L[ri + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < d; k++) s -= L[k * d + i]! * out[k]!;
    out[i] = s / L[i * d + i]!;
  }
  return out;
}

/** x = H⁻¹ b for SPD H. */
export function solveSpd(H: Float64Array, d: number, b: Float64Array): Float64Array {
  return choleskySolveFactored(choleskyFactor(H, d), d, b);
}
