/**
 * Straggler-robust matrix inverse and left pseudoinverse over fractional repetition (the inverse
 * paper, Algorithms 1-4): columns solved on workers by CG or SD, decoded from one complete residue
 * class.
 *
 *   const p = inverseProblem('inverse', A);       // shape and finiteness checks
 *   checkFullRank(p);                             // QR pivot evidence, SingularMatrixError
 *   const { estimate, stats } = invertInProcess(p, { workers: 8, stragglers: 1, solver: 'cg', tol: 1e-10 });
 *   const errors = inverseErrors(p, estimate, exactReference(p));
 */
export { type InverseKind, type InverseProblem, inverseProblem, checkFullRank, gramOf, solverEvidence, rejectIfSingular, RANK_PIVOT_TOL } from './problem';
export { type ColumnPlan, type SolvedGroup, columnPlan, assembleGroups } from './column-plan';
export { type Reference, exactReference, REFERENCE_LIMIT } from './reference';
export { type ErrorBound, proposition1, corollary2AsStated, corollary2Derived } from './bounds';
export { type InverseErrors, type BoundCheck, type IterationSummary, inverseErrors, errorBounds, iterationSummary } from './report';
export { type InverseSolveOptions, invertInProcess, frobeniusNorm } from './in-process';
export { type ClusterInverseResult, invertOnCluster } from './invert';
