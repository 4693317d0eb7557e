import { inverse, QrDecomposition, SingularValueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import type { Matrix } from '../../shared/tensor';
import { fromMl, toMl, type InverseProblem } from './problem';

/**
 * Exact references for small problems (ml-matrix, O(n³) dense): A⁻¹ by LU, A† by Householder QR
 * (the least-squares solution of AX = I), and the extreme singular values for the bounds.
 */
export interface Reference {
  exact: Matrix;
  sigmaMin: number;
  sigmaMax: number;
}

/** Largest dimension for which the report computes the exact reference by default. */
export const REFERENCE_LIMIT = 1000;

export function exactReference(p: InverseProblem): Reference {
  const A = toMl(p.A);
  const exact = p.kind === 'inverse' ? inverse(A) : new QrDecomposition(A).solve(MlMatrix.eye(p.A.rows, p.A.rows));
  const sv = singularValues(A);
  return { exact: fromMl(exact), sigmaMin: Math.min(...sv), sigmaMax: Math.max(...sv) };
}

export function singularValues(A: MlMatrix): number[] {
  return new SingularValueDecomposition(A, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true })
    .diagonal;
}

/** ‖X‖₂ (largest singular value) of a row-major matrix. */
export function spectralNorm(X: Matrix): number {
  return Math.max(...singularValues(toMl(X)));
}
