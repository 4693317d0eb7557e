import type { DataSpec, SyntheticSpec } from '../../shared/config';
import { ShapeError } from '../../shared/errors';
import { loadMatrix, loadVector, type Matrix } from '../../shared/tensor';
import { syntheticLeastSquares } from './synthetic';

/** Where a least-squares problem came from: the generator's settings, or the files. */
export type LeastSquaresSource = { synthetic: SyntheticSpec } | { A: string; b: string };

export interface LeastSquaresProblem {
  A: Matrix;
  b: Float64Array;
  /** Where it came from, for result.json. */
  source: LeastSquaresSource;
}

/** The job's A and b, from files or the seeded generator (`alloc`: where it puts A), shapes checked. */
export function loadLeastSquaresProblem(job: { data: DataSpec }, alloc?: (length: number) => Float64Array): LeastSquaresProblem {
  if (job.data.synthetic) {
    const { A, b } = syntheticLeastSquares(job.data.synthetic, alloc);
    return { A, b, source: { synthetic: job.data.synthetic } };
  }
  const files = { A: job.data.A!, b: job.data.b! };
  const A = loadMatrix(files.A);
  const b = loadVector(files.b);
  if (b.length !== A.rows) throw new ShapeError(`data: A has ${A.rows} rows but b has ${b.length} values`);
  if (A.cols > A.rows) throw new ShapeError(`data: least squares needs rows ≥ columns, A is ${A.rows}×${A.cols}`);
  return { A, b, source: files };
}
