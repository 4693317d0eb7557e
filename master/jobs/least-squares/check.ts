import { InputError, ShapeError } from '../../../shared/errors';
import { MAX_MONITORED_COLUMNS } from '../../../algorithms';
import { chooseScheme, isAdaptive, parseAdaptive, type SchemeChoice } from '../../../core/schemes';
import { checkBlocks, leastSquaresShape, type CheckContext, type Footprint, type Shape } from '../check-types';
import type { LeastSquaresJobSpec } from './schema';

/** A least-squares scheme against the data and the workers: K blocks, each scheme's own rules. */
export function checkLeastSquaresScheme(scheme: SchemeChoice, shape: Shape | undefined, workers: number, blocks?: number): void {
  const K = blocks ?? scheme.defaultBlocks(workers);
  if (shape) checkBlocks(`scheme ${scheme.name}`, K, shape.rows);
  scheme.check({ workers, blocks: K, ...(shape ? { rows: shape.rows } : {}) });
  const additive = !scheme.taskKinds || scheme.taskKinds.includes('lsGradient');
  if (!additive && !scheme.taskKinds?.includes('matvec')) throw new InputError(`least squares: scheme ${scheme.name} decodes neither gradients nor matrix-vector products`);
  // A coded gradient takes Aᵀ in K row blocks too.
  if (!additive && shape && K > shape.cols) throw new InputError(`scheme ${scheme.name}: ${K} coded blocks but only ${shape.cols} columns; use fewer blocks (the job's blocks key or the scheme's k)`);
}

/** The shape rules of least squares by steepest descent. */
export function checkLeastSquaresShape(shape: Shape | undefined): void {
  if (!shape) return;
  if (shape.cols > shape.rows) throw new ShapeError(`data: least squares needs rows ≥ columns, A is ${shape.rows}×${shape.cols}`);
  if (shape.cols > MAX_MONITORED_COLUMNS) throw new InputError(`least squares: ${shape.cols} columns is beyond the master's d×d monitoring (max ${MAX_MONITORED_COLUMNS})`);
}

/**
 * Memory of a least-squares problem: the master holds A and b, G = AᵀA, and for a coded scheme
 * padded copies of A and Aᵀ; the workers hold the stored blocks (up to about three copies with
 * replication or backups).
 */
export function leastSquaresFootprint(shape: Shape | undefined): Footprint {
  if (!shape) return { master: 0, workers: 0, what: 'A' };
  const nd = shape.rows * shape.cols;
  return { master: 3 * nd + shape.rows + shape.cols * shape.cols, workers: 3 * nd, what: `A ${shape.rows}×${shape.cols}` };
}

export function checkLeastSquares(job: LeastSquaresJobSpec, ctx: CheckContext): Footprint {
  const shape = leastSquaresShape(job.data, ctx);
  checkLeastSquaresShape(shape);
  if (isAdaptive(job.scheme)) checkAdaptive(job, shape, ctx.workers);
  else checkLeastSquaresScheme(chooseScheme(job.scheme), shape, ctx.workers, job.blocks);
  return leastSquaresFootprint(shape);
}

/** `scheme: adaptive`: its parameters; each candidate picks its own blocks, so `blocks` is refused. */
function checkAdaptive(job: LeastSquaresJobSpec, shape: Shape | undefined, workers: number): void {
  parseAdaptive(job.scheme);
  if (job.blocks !== undefined) throw new InputError('scheme adaptive: each candidate chooses its own blocks; remove the job\'s blocks key');
  if (shape) checkBlocks('scheme adaptive', workers, shape.rows);
}
