import { ShapeError, SingularMatrixError } from '../../shared/errors';
import type { AsyncLinalg } from '../../shared/linalg';
import { assertFinite, type Matrix } from '../../shared/tensor';

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

/** B = AᵀA, the matrix whose inverse the pseudoinverse's workers approximate (on the master's linear-algebra thread). */
export function gramOf(la: AsyncLinalg, A: Matrix): Promise<Matrix> {
  return la.gram(A);
}

/**
 * Relative size of a pivoted QR's |R_jj| at or below which A is treated as numerically rank
 * deficient. At κ ≈ 10¹² the column solvers would not converge anyway, and the pivoted R's
 * diagonal tracks the singular values closely enough for that.
 */
export const RANK_PIVOT_TOL = 1e-12;

/**
 * Largest rows·cols² for which the master checks the rank (pivoted QR) and κ (the SVD's values)
 * before sending work: about 2000³, a second or two of LAPACK on the master's thread.
 */
export const RANK_CHECK_LIMIT = 8e9;

/** Whether A is small enough for the master's rank and condition checks. */
export function checkableOnMaster(A: Matrix): boolean {
  return A.rows * A.cols * A.cols <= RANK_CHECK_LIMIT;
}

export interface RankEvidence {
  /** |R[k−1,k−1]| and |R[0,0]| of the pivoted R (k = A's columns). */
  smallestPivot: number;
  largestPivot: number;
  /** The column of A pivoted last (the one nearest the span of the others). */
  column: number;
  rank: number;
  /** The linear-algebra backend that factored A. */
  backend: string;
}

/**
 * Evidence of rank deficiency before any worker starts: the QR of A with column pivoting (LAPACK
 * dgeqp3 on the master's thread), its numerical rank at RANK_PIVOT_TOL. Throws
 * SingularMatrixError naming the columns found dependent (those pivoted past the rank). O(nm²);
 * the caller skips it above a size limit and relies on the solvers' evidence.
 */
export async function checkFullRank(la: AsyncLinalg, p: InverseProblem): Promise<RankEvidence> {
  const { A } = p;
  const k = A.cols;
  const { R, perm, rank } = await la.qr(A, { q: false, rtol: RANK_PIVOT_TOL });
  const pivot = (j: number): number => Math.abs(R.data[j * R.cols + j]!);
  const largest = pivot(0);
  if (rank < k) {
    const what = p.kind === 'inverse' ? 'singular' : 'rank deficient';
    const dependent = Array.from(perm.subarray(rank)).sort((a, b) => a - b);
    const named = dependent.length > 8 ? `${dependent.slice(0, 8).join(', ')}, … (${dependent.length} in all)` : dependent.join(', ');
    throw new SingularMatrixError(
      `${p.kind}: A (${A.rows}×${A.cols}) is ${what}: its numerical rank is ${rank} of ${k}; column${dependent.length > 1 ? 's' : ''} ${named} ` +
        `${dependent.length > 1 ? 'lie' : 'lies'} in the span of the others to working precision (QR with column pivoting: ` +
        `|R[${rank},${rank}]| = ${pivot(rank).toExponential(2)} is ${largest === 0 ? 'zero' : `${(pivot(rank) / largest).toExponential(2)} of the largest`}, tolerance ${RANK_PIVOT_TOL})`,
    );
  }
  return { smallestPivot: pivot(k - 1), largestPivot: largest, column: perm[k - 1]!, rank, backend: la.name };
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
