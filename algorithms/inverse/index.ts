/**
 * Straggler-robust matrix inverse and left pseudoinverse over fractional repetition (the inverse
 * paper, Algorithms 1-4): columns solved on workers by CG or SD, decoded from one complete residue
 * class.
 *
 *   const la = await cluster.linalg();            // the master's LAPACK, on its thread
 *   const p = inverseProblem('inverse', A);       // shape and finiteness checks
 *   await checkFullRank(la, p);                   // pivoted QR, SingularMatrixError naming the column
 *   const { estimate, stats } = await invertInProcess(la, p, { workers: 8, stragglers: 1, solver: 'cg', tol: 1e-10 });
 *   const errors = await inverseErrors(la, p, estimate, await exactReference(la, p));
 */
export { type InverseKind, type InverseProblem, type RankEvidence, inverseProblem, checkFullRank, checkableOnMaster, gramOf, solverEvidence, rejectIfSingular, RANK_PIVOT_TOL, RANK_CHECK_LIMIT } from './problem';
export { type ColumnPlan, type SolvedGroup, columnPlan, assembleGroups } from './column-plan';
export { type Reference, exactReference, singularValues, spectralNorm, REFERENCE_LIMIT } from './reference';
export {
  type SolveEstimate,
  type EstimateInputs,
  estimateColumnSolves,
  conditionOf,
  productRate,
  describeEstimate,
  formatDuration,
  ESTIMATE_FORMULA,
  LONG_SOLVE_SECONDS,
} from './estimate';
export { type ErrorBound, proposition1, corollary2AsStated, corollary2Derived } from './bounds';
export { type InverseErrors, type BoundCheck, type IterationSummary, inverseErrors, errorBounds, iterationSummary } from './report';
export { type InverseSolveOptions, invertInProcess, frobeniusNorm } from './in-process';
export { type ClusterInverseResult, invertOnCluster } from './invert';
