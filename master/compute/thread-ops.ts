import { padRows, paddedTranspose } from '../../algorithms/coded';
import { referenceNewton } from '../../algorithms/logistic';
import { sumTerms, type Decoded, type WeightedSum } from '../../core/schemes';
import { materializeStoredBlock, type OutgoingBlock } from '../../core/schemes/placement';
import type { StoredBlockSpec } from '../../core/schemes/types';
import type { DataSpec } from '../../shared/config';
import { selectKernels } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import { loadInverseMatrix, type InverseMatrixSpec } from '../data/inverse-matrix';
import { loadLeastSquaresProblem, type LeastSquaresProblem } from '../data/load-problem';
import { loadLogisticProblem, type LogisticDataSet, type LogisticProblemData } from '../data/logistic-problem';
import type { LogisticDataSpec } from '../data/logistic-schema';

/**
 * The master's long array work beside its linear algebra, run on its compute thread (the same
 * pool, in order with the factorizations) so the event loop that answers gRPC never runs it:
 * the job's data (generated or read), the coded products' padded copies of X, the coded stored
 * blocks, the logistic reference optimum. Each is the very function the inline path calls, so
 * the values are the same bits. Big results live in SharedArrayBuffers: the loop gets them
 * without a copy, and passes them back to a later call without one.
 */
export const sharedArray = (length: number): Float64Array => new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));

/** M in shared memory: M itself when it is there already, else a copy (made on the thread). */
export function toShared(M: Matrix): Matrix {
  if (M.data.buffer instanceof SharedArrayBuffer) return M;
  const data = sharedArray(M.rows * M.cols);
  data.set(M.data.subarray(0, M.rows * M.cols));
  return { rows: M.rows, cols: M.cols, data };
}

const sharedSet = (d: LogisticDataSet): LogisticDataSet => ({ X: toShared(d.X), y: d.y });

/** The logistic reference optimum's Newton tolerance and iteration cap (logisticOptimum's). */
export interface ReferenceSettings {
  tol: number;
  maxIterations: number;
}

export const MASTER_THREAD_OPS = {
  /** loadLogisticProblem, its X (and the test X) in shared memory. */
  logisticProblem: (_la: AsyncLinalg, data: LogisticDataSpec): LogisticProblemData => {
    const p = loadLogisticProblem(data, sharedArray);
    return { ...p, train: sharedSet(p.train), ...(p.test ? { test: sharedSet(p.test) } : {}) };
  },
  /** loadLeastSquaresProblem, A in shared memory. */
  leastSquaresProblem: (_la: AsyncLinalg, job: { data: DataSpec }): LeastSquaresProblem => {
    const p = loadLeastSquaresProblem(job, sharedArray);
    return { ...p, A: toShared(p.A) };
  },
  /** loadInverseMatrix, in shared memory. */
  inverseMatrix: (_la: AsyncLinalg, data: InverseMatrixSpec): Matrix => toShared(loadInverseMatrix(data, sharedArray)),
  /** padRows, a padded copy in shared memory (M itself, as given, when no row is added). */
  padRows: (_la: AsyncLinalg, M: Matrix, multiple: number): Matrix => padRows(M, multiple, sharedArray),
  /** paddedTranspose, in shared memory. */
  paddedTranspose: (_la: AsyncLinalg, M: Matrix, multiple: number): Matrix => paddedTranspose(M, multiple, sharedArray),
  /**
   * The coded (non-plain) stored blocks `ids` of a plan, by materializeStoredBlock, their values
   * in shared memory (a block is kept while the job runs: a round reads it for its checks).
   */
  storedBlocks: (_la: AsyncLinalg, stored: readonly StoredBlockSpec[], ids: readonly number[], A: Matrix, b: Float64Array | undefined, blockStarts: number[]): OutgoingBlock[] =>
    ids.map((id) => materializeStoredBlock(stored[id]!, id, { A, ...(b ? { b } : {}), blockStarts }, sharedArray)),
  /** A decoder's weighted sum (sumTerms): 720 exact-Hessian answers of d×d, say; the answers in shared memory. */
  weightedSum: (_la: AsyncLinalg, ws: WeightedSum): Decoded => sumTerms(ws),
  /** referenceNewton with the thread's linear algebra and the fastest kernels there. */
  logisticReference: async (la: AsyncLinalg, X: Matrix, y: Float64Array, lambda: number, s: ReferenceSettings): Promise<{ f: number; gradNorm: number; iterations: number }> => {
    const { kernels } = selectKernels({ backend: 'auto', threads: 1 });
    const ref = await referenceNewton(la, X, y, lambda, s.tol, s.maxIterations, kernels);
    return { f: ref.f, gradNorm: ref.gradNorm, iterations: ref.iterations };
  },
} as const;

export type MasterThreadOps = typeof MASTER_THREAD_OPS;
