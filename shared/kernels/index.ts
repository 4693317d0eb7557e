/**
 * Numerical kernels: pure functions on Float64Array, each tested against a naive reference. The
 * hot ones come in two backends behind one interface, picked once and passed along:
 *
 *   const { kernels, warning } = selectKernels({ backend: 'auto', threads: 1 });  // native or js
 *   kernels.lsGradient(Ai, bi, x, g, weight, true);   // g += weight · Aᵢᵀ(Aᵢx − bᵢ)
 *   lsGradient(Ai, bi, x, g, weight, true);           // the plain loop itself (jsKernels)
 */
export { dot, norm2, axpy, scale, matVec, matTVec, lsGradient, lsGradientStacked, matVecStacked, matTVecStacked, gram, matMul } from './blas';
export { type Kernels, type KernelBackendName, jsKernels } from './backend';
export { type KernelOptions, type KernelSelection, type BlasInfo, selectKernels, NATIVE_INSTALL } from './native/select';
export { availableCpus } from './native/threads';
export { BlockColumnSolver, solveColumnsBlock } from './block-column-solver';
export { type LinearOperator, type ColumnSolveOptions, type ColumnSolveResult, denseOperator, lsResidualAndGradient } from './linear-operator';
export { cgLeastSquares } from './cg';
export { sdLeastSquares, BACKTRACKING } from './steepest-descent';
export {
  type ColumnSolverName,
  type ColumnStats,
  type SolvedColumns,
  COLUMN_SOLVER_NAMES,
  columnSolvers,
  defaultMaxIterations,
  solveUnitColumns,
  solveInverseColumns,
  inverseOperators,
  packSolvedColumns,
  unpackSolvedColumns,
  packedLength,
} from './solve-columns';
export { mix32, sketchSeed, countSketchHash, countSketchInto } from './count-sketch';
export { choleskyFactor, choleskySolveFactored, solveSpd } from './cholesky';
export {
  log1pExp,
  sigmoid,
  marginLoss,
  marginBeta,
  marginGamma,
  marginLossChange,
  logisticGradientInto,
  logisticLossAtStepsInto,
  localNewtonInto,
} from './logistic';
export { type KernelName, type KernelFn, KERNEL_NAMES, checkKernel, rowSquaredNorms, kernelRows, kernelMatrix, kernelPredict } from './kernel-rows';
export { type TopEigen, type TopEigenOptions, topEigen } from './top-eigen';
export {
  type EigenproPreconditioner,
  eigenproPreconditioner,
  applyPreconditioner,
  eigenproStep,
  stalenessStep,
  eigenproSliceDelta,
} from './eigenpro';
export { type SliceState, buildSliceState, lambdaNext, sampleBatch, sliceStep } from './eigenpro-slice';
