import { InputError, ShapeError } from '../errors';
import type { Matrix } from '../tensor';
import { jsKernels, type Kernels } from './backend';
import { solveColumnsBlock } from './block-column-solver';
import { cgLeastSquares } from './cg';
import type { ColumnSolveOptions, ColumnSolveResult, ColumnSolverName, ColumnStats, LinearOperator, SolvedColumns } from './linear-operator';
import { sdLeastSquares } from './steepest-descent';

export type { ColumnSolverName, ColumnStats, SolvedColumns };

/**
 * Solving columns of an inverse: column i of M⁻¹ minimizes f_i(x) = ‖Mx − e_i‖₂² (eq. (2) of the
 * inverse paper). Workers run this on their group of columns; the result travels as one
 * Float64Array (values, then per-column statistics) so the frc decoder can concatenate groups.
 */
export const COLUMN_SOLVER_NAMES: readonly ColumnSolverName[] = ['cg', 'sd'];

export const columnSolvers: Record<ColumnSolverName, (M: LinearOperator, y: Float64Array, o: ColumnSolveOptions) => ColumnSolveResult> = {
  cg: cgLeastSquares,
  sd: sdLeastSquares,
};

/** Iteration caps when the job does not set one: CG needs O(n) in exact arithmetic, SD far more. */
export function defaultMaxIterations(solver: ColumnSolverName, cols: number): number {
  return solver === 'cg' ? Math.max(1000, 20 * cols) : 100_000;
}

/** Numbers per column's statistics on the wire (ColumnStats). */
const STATS = 4;

/**
 * Solves M x = e_i in the least-squares sense for each i in `columns`, and returns post·x when a
 * post operator is given (the pseudoinverse: row i of A† is (A ĉ_i)ᵀ, Algorithm 2).
 */
export function solveUnitColumns(
  M: LinearOperator,
  columns: readonly number[],
  solver: ColumnSolverName,
  opts: ColumnSolveOptions,
  post?: LinearOperator,
): SolvedColumns {
  const solve = columnSolvers[solver];
  if (!solve) throw new InputError(`unknown column solver '${String(solver)}' (known: ${COLUMN_SOLVER_NAMES.join(', ')})`);
  const outLength = post ? post.rows : M.cols;
  const values = new Float64Array(columns.length * outLength);
  const stats: ColumnStats[] = [];
  const e = new Float64Array(M.rows);
  columns.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= M.rows) throw new InputError(`column ${i} is outside 0..${M.rows - 1}`);
    e.fill(0);
    e[i] = 1;
    const res = solve(M, e, opts);
    const out = values.subarray(k * outLength, (k + 1) * outLength);
    if (post) post.apply(res.x, out);
    else out.set(res.x);
    stats.push({ iterations: res.iterations, gradientNorm: res.gradientNorm, residualNorm: res.residualNorm, converged: res.converged });
  });
  return { values, outLength, stats };
}

/** [values…, (iterations, ‖∇f‖, ‖r‖, converged) per column] */
export function packSolvedColumns(s: SolvedColumns): Float64Array {
  const out = new Float64Array(s.values.length + STATS * s.stats.length);
  out.set(s.values);
  s.stats.forEach((st, k) => {
    const o = s.values.length + STATS * k;
    out[o] = st.iterations;
    out[o + 1] = st.gradientNorm;
    out[o + 2] = st.residualNorm;
    out[o + 3] = st.converged ? 1 : 0;
  });
  return out;
}

/** Inverse of packSolvedColumns for a group of `count` columns of length `outLength`. */
export function unpackSolvedColumns(buf: Float64Array, count: number, outLength: number): SolvedColumns {
  const n = count * outLength;
  if (buf.length !== n + STATS * count) {
    throw new Error(`solved columns: expected ${n + STATS * count} values for ${count} columns of ${outLength}, got ${buf.length}`);
  }
  const stats: ColumnStats[] = [];
  for (let k = 0; k < count; k++) {
    const o = n + STATS * k;
    stats.push({ iterations: buf[o]!, gradientNorm: buf[o + 1]!, residualNorm: buf[o + 2]!, converged: buf[o + 3] === 1 });
  }
  return { values: buf.subarray(0, n), outLength, stats };
}

/** Values a packed group of `count` columns of length `outLength` occupies. */
export function packedLength(count: number, outLength: number): number {
  return count * (outLength + STATS);
}

/**
 * A worker's task for the inverse paper: solve `columns` for A⁻¹ (square A, M = A) or for A†
 * (tall A, M = B = AᵀA, each answer multiplied by A so it is a row of A† — Algorithm 2 with the
 * workers doing the multiplication). Returns the packed group (values, then statistics).
 * `gramOfA` lets a worker reuse B across tasks on the same stored A. All columns are solved
 * together (./block-column-solver.ts): with the plain-loop kernels that is bit for bit the
 * column-by-column solveUnitColumns.
 */
export function solveInverseColumns(
  A: Matrix,
  kind: 'inverse' | 'pseudoinverse',
  columns: readonly number[],
  solver: ColumnSolverName,
  opts: ColumnSolveOptions,
  gramOfA?: Matrix,
  kernels: Kernels = jsKernels,
): Float64Array {
  const { M, post } = inverseOperators(A, kind, gramOfA, kernels);
  return packSolvedColumns(solveColumnsBlock(kernels, M, columns, solver, opts, post));
}

/** The matrix whose columns' solves are asked (A, or B = AᵀA) and what multiplies the answers (A for A†). */
export function inverseOperators(
  A: Matrix,
  kind: 'inverse' | 'pseudoinverse',
  gramOfA: Matrix | undefined,
  kernels: Kernels,
): { M: Matrix; post?: Matrix } {
  if (kind === 'inverse') {
    if (A.rows !== A.cols) throw new ShapeError(`inverse: A is ${A.rows}×${A.cols}, not square`);
    return { M: A };
  }
  if (kind !== 'pseudoinverse') throw new InputError(`unknown target '${String(kind)}' (inverse | pseudoinverse)`);
  return { M: gramOfA ?? { rows: A.cols, cols: A.cols, data: kernels.gram(A, undefined, new Float64Array(A.cols * A.cols)) }, post: A };
}
