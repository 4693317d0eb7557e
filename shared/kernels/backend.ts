import { gram, lsGradient, lsGradientStacked, matTVec, matTVecStacked, matVec, matVecStacked } from './blas';
import { solveSpd } from './cholesky';
import { kernelPredict, kernelRows } from './kernel-rows';
import { localNewtonInto, logisticGradientInto, logisticLossAtStepsInto } from './logistic';

/**
 * The hot kernels as one object, so a caller picks a backend by passing it (never by importing
 * one for its side effect). Two implementations with the same signatures:
 *   jsKernels      the plain loops of this folder: the reference and the fallback;
 *   native         OpenBLAS through the Node-API addon (./native), loaded by selectKernels.
 * Both check their arguments the same way (./shape-checks.ts): a mismatch is a ShapeError.
 * The count sketch is not here: it scatters each row into one of `width` buckets, which no BLAS
 * routine expresses, so it stays a loop (./count-sketch.ts) on either backend.
 */
export type KernelBackendName = 'native' | 'js';

export interface Kernels {
  readonly name: KernelBackendName;
  readonly matVec: typeof matVec;
  readonly matTVec: typeof matTVec;
  readonly lsGradient: typeof lsGradient;
  readonly lsGradientStacked: typeof lsGradientStacked;
  readonly gram: typeof gram;
  readonly matVecStacked: typeof matVecStacked;
  readonly matTVecStacked: typeof matTVecStacked;
  readonly kernelRows: typeof kernelRows;
  readonly kernelPredict: typeof kernelPredict;
  readonly logisticGradientInto: typeof logisticGradientInto;
  readonly logisticLossAtStepsInto: typeof logisticLossAtStepsInto;
  readonly localNewtonInto: typeof localNewtonInto;
  readonly solveSpd: typeof solveSpd;
  /**
   * Zeroed memory for large operands (a worker's blocks). Native: 2 MiB-aligned and advised for
   * transparent huge pages, as numpy does for large arrays (the memory-bound kernels stream it
   * with far fewer TLB misses); js: an ordinary ArrayBuffer.
   */
  readonly allocate: (bytes: number) => ArrayBuffer;
}

export const jsKernels: Kernels = Object.freeze({
  name: 'js',
  matVec,
  matTVec,
  lsGradient,
  lsGradientStacked,
  gram,
  matVecStacked,
  matTVecStacked,
  kernelRows,
  kernelPredict,
  logisticGradientInto,
  logisticLossAtStepsInto,
  localNewtonInto,
  solveSpd,
  allocate: (bytes: number) => new ArrayBuffer(bytes),
});
