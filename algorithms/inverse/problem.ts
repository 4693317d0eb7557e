import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { ShapeError, SingularMatrixError } from '../../shared/errors';
import { gram } from '../../shared/kernels';
import { assertFinite, matrix, type Matrix } from '../../shared/tensor';

/**
 * What is being inverted. `inverse`: square nonsingular A, column i of A⁻¹ solves min ‖Ab − e_i‖²
 * (Algorithm 1). `pseudoinverse`: tall full-rank A (n×m, n ≥ m); row i of A† = (AᵀA)⁻¹Aᵀ is
 * ĉ_iAᵀ with ĉ_i solving min ‖cB − e_iᵀ‖², B = AᵀA (Algorithm 2), workers multiplying by Aᵀ.
 */
export type InverseKind = 'inverse' | 'pseudoinverse';

export interface InverseProblem {
  kind: InverseKind;
  A: Matrix;
  /** Unknown columns solved on workers: n for the inverse, m for the pseudoinverse. */
  unknowns: number;
  /** Shape of the answer: n×n, or m×n. */
  outRows: number;
  outCols: number;
}

/** Checks the input before anything is sent or written: shape, finiteness. */
export function inverseProblem(kind: InverseKind, A: Matrix): InverseProblem {
  if (A.rows === 0 || A.cols === 0) throw new ShapeError(`${kind}: A is empty (${A.rows}×${A.cols})`);
  assertFinite(A.data, 'A', A.cols);
  if (kind === 'inverse' && A.rows !== A.cols) {
    throw new ShapeError(`inverse: A is ${A.rows}×${A.cols}, not square; for a tall full-rank A use the pseudoinverse (--pinv)`);
  }
  if (kind === 'pseudoinverse' && A.rows < A.cols) {
    throw new ShapeError(
      `pseudoinverse: A is ${A.rows}×${A.cols}, wider than tall; the left pseudoinverse needs rows ≥ columns (pass Aᵀ and transpose the answer)`,
    );
  }
  return { kind, A, unknowns: A.cols, outRows: A.cols, outCols: A.rows };
}

/** B = AᵀA, the matrix whose inverse the pseudoinverse's workers approximate. */
export function gramOf(A: Matrix): Matrix {
  return matrix(A.cols, A.cols, gram(A, undefined, new Float64Array(A.cols * A.cols)));
}

/**
 * Relative size of a QR pivot below which A is treated as numerically rank deficient. Householder
 * QR is backward stable, so for a matrix of full numerical rank no |R_jj| falls near unit roundoff
 * times the largest one.
 */
export const RANK_PIVOT_TOL = 1e-12;

export interface RankEvidence {
  smallestPivot: number;
  largestPivot: number;
  column: number;
}

/**
 * Evidence of rank deficiency before any worker starts: the Householder QR of A (ml-matrix) and its
 * smallest pivot |R_jj| relative to the largest. Throws SingularMatrixError naming the column and
 * the ratio. O(nm²); the caller skips it above a size limit and relies on the solvers' evidence.
 */
export function checkFullRank(p: InverseProblem): RankEvidence {
  const { A } = p;
  const qr = new QrDecomposition(toMl(A));
  const diag = diagonalOf(qr.upperTriangularMatrix);
  let smallest = Infinity;
  let largest = 0;
  let column = 0;
  diag.forEach((d, j) => {
    const v = Math.abs(d);
    if (v < smallest) {
      smallest = v;
      column = j;
    }
    largest = Math.max(largest, v);
  });
  const what = p.kind === 'inverse' ? 'singular' : 'rank deficient';
  if (largest === 0 || smallest <= RANK_PIVOT_TOL * largest) {
    throw new SingularMatrixError(
      `${p.kind}: A (${A.rows}×${A.cols}) is ${what}: its QR pivot |R[${column},${column}]| = ${smallest.toExponential(2)} ` +
        `is ${largest === 0 ? 'zero' : `${(smallest / largest).toExponential(2)} of the largest`} (tolerance ${RANK_PIVOT_TOL})`,
    );
  }
  return { smallestPivot: smallest, largestPivot: largest, column };
}

function diagonalOf(R: MlMatrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < Math.min(R.rows, R.columns); j++) out.push(R.get(j, j));
  return out;
}

/** Rejects a column solve whose own numbers show that A has no inverse (see solverEvidence). */
export function rejectIfSingular(p: InverseProblem, evidence: SolverEvidence | undefined): void {
  if (!evidence) return;
  throw new SingularMatrixError(
    `${p.kind}: A is ${p.kind === 'inverse' ? 'singular' : 'rank deficient'} to working precision: column ${evidence.column} ` +
      `${evidence.converged ? 'converged' : `stagnated after ${evidence.iterations} iterations`} with ‖∇f‖ = ${evidence.gradientNorm.toExponential(2)} ` +
      `but ‖Mx − e‖ = ${evidence.residualNorm.toExponential(2)}, so σ_min ≤ ${evidence.sigmaMinBound.toExponential(2)} ` +
      `(${(evidence.sigmaMinBound / evidence.scale).toExponential(2)} of ‖M‖_F)`,
  );
}

export interface SolverEvidence {
  column: number;
  iterations: number;
  gradientNorm: number;
  residualNorm: number;
  converged: boolean;
  /** σ_min(M) ≤ ‖Mᵀr‖/‖r‖ = (‖∇f‖/2)/‖r‖ for any nonzero r of a square M. */
  sigmaMinBound: number;
  scale: number;
}

/** σ_min(M)/‖M‖_F below this, as certified by a solver's own residual, means singular. */
export const SOLVER_SINGULAR_TOL = 1e-12;

/**
 * A solver that stops with a small gradient but a residual that will not go to zero has found a
 * least-squares solution of an inconsistent system: e_i is not in the range of M. Its numbers
 * bound σ_min(M) from above; if that bound is negligible against ‖M‖_F, M is singular.
 */
export function solverEvidence(
  stats: { iterations: number; gradientNorm: number; residualNorm: number; converged: boolean }[],
  scale: number,
): SolverEvidence | undefined {
  let worst: SolverEvidence | undefined;
  stats.forEach((s, column) => {
    if (!(s.residualNorm > 0)) return;
    const bound = s.gradientNorm / 2 / s.residualNorm;
    if (bound <= SOLVER_SINGULAR_TOL * scale && (!worst || bound < worst.sigmaMinBound)) {
      worst = { column, ...s, sigmaMinBound: bound, scale };
    }
  });
  return worst;
}

/** A copy of A as an ml-matrix Matrix (for decompositions and references only). */
export function toMl(A: Matrix): MlMatrix {
  const M = new MlMatrix(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) M.set(i, j, A.data[i * A.cols + j]!);
  return M;
}

export function fromMl(M: MlMatrix): Matrix {
  const out = new Float64Array(M.rows * M.columns);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.columns; j++) out[i * M.columns + j] = M.get(i, j);
  return matrix(M.rows, M.columns, out);
}
