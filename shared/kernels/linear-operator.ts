import type { Matrix } from '../tensor';
import { matTVec, matVec } from './blas';

/**
 * A linear map M (rows × cols) seen only through M·x and Mᵀ·v: all the column solvers need.
 * The inverse uses M = A; the pseudoinverse uses the Gram matrix M = B = AᵀA (Algorithm 2).
 */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** out = M x */
  apply(x: Float64Array, out: Float64Array): void;
  /** out = Mᵀ v */
  applyT(v: Float64Array, out: Float64Array): void;
}

export function denseOperator(M: Matrix): LinearOperator {
  return {
    rows: M.rows,
    cols: M.cols,
    apply: (x, out) => void matVec(M, x, out),
    applyT: (v, out) => void matTVec(M, v, out),
  };
}

/**
 * What a column solver reports. The objective is the paper's f(x) = ‖Mx − y‖₂² (eq. (2), no ½),
 * so ∇f(x) = 2Mᵀ(Mx − y) and the stopping rule is ‖∇f(x)‖₂ ≤ ε.
 */
export interface ColumnSolveResult {
  x: Float64Array;
  iterations: number;
  /** ‖∇f(x)‖₂ = 2‖Mᵀ(Mx − y)‖₂ at the returned x, recomputed from x (not a recurrence). */
  gradientNorm: number;
  /** ‖Mx − y‖₂ at the returned x. */
  residualNorm: number;
  /** True when gradientNorm ≤ ε. */
  converged: boolean;
}

export interface ColumnSolveOptions {
  /** ε of the stopping rule ‖∇f‖₂ ≤ ε. */
  tol: number;
  /** Iteration cap; a solver that reaches it returns converged = false. */
  maxIterations: number;
}

/** Recomputes r = Mx − y into `r`, g = 2Mᵀr into `g`; returns [‖g‖, ‖r‖]. */
export function lsResidualAndGradient(
  M: LinearOperator,
  x: Float64Array,
  y: Float64Array,
  r: Float64Array,
  g: Float64Array,
): [number, number] {
  M.apply(x, r);
  let rr = 0;
  for (let i = 0; i < r.length; i++) {
    const v = r[i]! - y[i]!;
    r[i] = v;
    rr += v * v;
  }
  M.applyT(r, g);
  let gg = 0;
  for (let j = 0; j < g.length; j++) {
    const v = 2 * g[j]!;
    g[j] = v;
    gg += v * v;
  }
  return [Math.sqrt(gg), Math.sqrt(rr)];
}

/** The column solvers a worker can run (solve-columns.ts maps each name to its function). */
export type ColumnSolverName = 'cg' | 'sd';

/** Statistics per column, four numbers each on the wire. */
export interface ColumnStats {
  iterations: number;
  gradientNorm: number;
  residualNorm: number;
  converged: boolean;
}

export interface SolvedColumns {
  /** Columns one after another (column-major block), each of length outLength. */
  values: Float64Array;
  outLength: number;
  stats: ColumnStats[];
}
