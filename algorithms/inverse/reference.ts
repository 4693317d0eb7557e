import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import type { InverseProblem } from './problem';

/**
 * Exact references for small problems, on the master's linear algebra (LAPACK on its thread):
 * A⁻¹ by LU (dgetrf/dgetri), A† as the minimum-norm least-squares solution of AX = I by the SVD
 * (dgelsd, numpy.linalg.lstsq), and the extreme singular values for the bounds.
 */
export interface Reference {
  exact: Matrix;
  sigmaMin: number;
  sigmaMax: number;
  /** What computed it, for result.json. */
  method: string;
}

/** Largest dimension for which the report computes the exact reference by default. */
export const REFERENCE_LIMIT = 1000;

/** `known`: A's extreme singular values when already computed (conditionOf), not computed again. */
export async function exactReference(la: AsyncLinalg, p: InverseProblem, known?: { sigmaMin: number; sigmaMax: number }): Promise<Reference> {
  if (p.kind === 'inverse') {
    const { inverse } = await la.inv(p.A);
    const sv = known ? { sigmaMin: known.sigmaMin, sigmaMax: known.sigmaMax } : extremes((await la.svd(p.A, { vectors: 'none' })).s);
    return { exact: inverse, ...sv, method: `exact (${la.name}: LU inverse)` };
  }
  const { x, s } = await la.lstsq(p.A, identity(p.A.rows));
  return { exact: x, ...extremes(s), method: `exact (${la.name}: SVD least squares of AX = I)` };
}

function extremes(s: Float64Array): { sigmaMin: number; sigmaMax: number } {
  return { sigmaMax: s[0] ?? 0, sigmaMin: s[s.length - 1] ?? 0 };
}

function identity(n: number): Matrix {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return { rows: n, cols: n, data: I };
}

/** Singular values of A, descending (LAPACK dgesdd, no vectors). */
export async function singularValues(la: AsyncLinalg, A: Matrix): Promise<Float64Array> {
  return (await la.svd(A, { vectors: 'none' })).s;
}

/** ‖X‖₂ (largest singular value) of a row-major matrix. */
export async function spectralNorm(la: AsyncLinalg, X: Matrix): Promise<number> {
  return (await singularValues(la, X))[0] ?? 0;
}
