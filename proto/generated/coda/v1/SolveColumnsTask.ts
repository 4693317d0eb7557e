// Original file: proto/coda/v1/worker.proto


/**
 * Solves columns of an inverse on the task's one stored block A (the inverse paper, Algorithms
 * 1-2): column i minimizes ||M b - e_i||^2 with M = A ("inverse", square A) or M = A^T A
 * ("pseudoinverse", tall A; the answer is then multiplied by A, giving row i of the pseudoinverse).
 * Stops when the gradient norm is at most tol. The result is the columns one after another,
 * then (iterations, gradient norm, residual norm, converged) per column.
 */
export interface SolveColumnsTask {
  /**
   * inverse | pseudoinverse
   */
  'target'?: (string);
  /**
   * 0-based column indices
   */
  'columns'?: (number)[];
  /**
   * cg | sd
   */
  'solver'?: (string);
  'tol'?: (number | string);
  'maxIterations'?: (number);
}

/**
 * Solves columns of an inverse on the task's one stored block A (the inverse paper, Algorithms
 * 1-2): column i minimizes ||M b - e_i||^2 with M = A ("inverse", square A) or M = A^T A
 * ("pseudoinverse", tall A; the answer is then multiplied by A, giving row i of the pseudoinverse).
 * Stops when the gradient norm is at most tol. The result is the columns one after another,
 * then (iterations, gradient norm, residual norm, converged) per column.
 */
export interface SolveColumnsTask__Output {
  /**
   * inverse | pseudoinverse
   */
  'target': (string);
  /**
   * 0-based column indices
   */
  'columns': (number)[];
  /**
   * cg | sd
   */
  'solver': (string);
  'tol': (number);
  'maxIterations': (number);
}
