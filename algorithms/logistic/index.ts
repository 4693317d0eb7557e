/**
 * Regularized logistic regression on the cluster (OverSketched Newton paper):
 *
 *   const coded = await CodedProducts.place(cluster, jobId, X, chooseScheme({ name: 'mds' }), k, seed);
 *   const res = await newtonFamily('oversketched-newton', model, coded, sketchedHessian(...), { stop });
 *
 * gd / newton / oversketched-newton share newtonFamily (coded gradient, Hessian at the master);
 * giant, and gd under a row-block scheme (the paper's Fig. 7), loop over row blocks (giant.ts).
 */
export { type LogisticModel, type AtMargins, atMargins, objectiveChange, evaluateAt, sqNorm } from './objective';
export { ARMIJO, armijoBacktracking, armijoOnGrid, type ArmijoOptions, type StepChoice } from './line-search';
export { CodedProducts, type CodedProduct } from '../coded';
export { oversketchPlan, oversketchSlots, sketchRowBlocks, SketchBlocksDecoder, type OversketchShape } from '../../core/schemes';
export { exactHessian, sketchedHessian, type HessianOracle, type HessianResult } from './hessians';
export { newtonFamily, stopReason, NEWTON_STEPS, type NewtonStep } from './newton';
export { giant, rowBlockGd, GIANT_STEPS } from './giant';
export { referenceNewton } from './reference';
export { padRows, paddedTranspose, equalBlockStarts } from '../coded';
export { LOGISTIC_SOLVERS, type IterationRecord, type LogisticRunResult, type LogisticRunOptions, type LogisticStop, type LogisticSolver, type LogisticState, type LogisticHistoryEntry } from './types';
export { solveLogistic, logisticLayout, resolveSketchShape, schemesFor, type LogisticSolveSpec, type LogisticSolveOutcome, type SketchOptions, type LogisticLayout } from './solve';
