import { InputError, ShapeError } from '../../../shared/errors';
import { MAX_MONITORED_COLUMNS } from '../../../algorithms';
import type { SchemeChoice } from '../../../core/schemes';
import { chooseSchemeOrPolicy, type PolicyChoice } from '../../../core/policy';
import { checkBlocks, leastSquaresShape, type CheckContext, type Footprint, type Shape } from '../check-types';
import type { LeastSquaresJobSpec } from './schema';

/** A least-squares scheme against the data and the workers: K blocks, each scheme's own rules. */
export function checkLeastSquaresScheme(scheme: SchemeChoice, shape: Shape | undefined, workers: number, blocks?: number): void {
  const K = blocks ?? scheme.defaultBlocks(workers);
  if (shape) checkBlocks(`scheme ${scheme.name}`, K, shape.rows);
  scheme.check({ workers, blocks: K, ...(shape ? { rows: shape.rows } : {}) });
  if (scheme.gradient === 'none') throw new InputError(`least squares: scheme ${scheme.name} decodes neither gradients nor matrix-vector products`);
  // A coded gradient takes Aᵀ in K row blocks too.
  if (scheme.gradient === 'coded' && shape && K > shape.cols) throw new InputError(`scheme ${scheme.name}: ${K} coded blocks but only ${shape.cols} columns; use fewer blocks (the job's blocks key or the scheme's k)`);
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
  const { scheme, policy } = chooseSchemeOrPolicy(job.scheme);
  if (policy) checkPolicy(policy, job, shape, ctx.workers);
  else checkLeastSquaresScheme(scheme, shape, ctx.workers, job.blocks);
  return leastSquaresFootprint(shape);
}

/** An adaptive policy: each candidate picks its own blocks, so `blocks` is refused; something must be left to choose. */
function checkPolicy(policy: PolicyChoice, job: LeastSquaresJobSpec, shape: Shape | undefined, workers: number): void {
  if (job.blocks !== undefined) throw new InputError(`scheme ${policy.name}: each candidate chooses its own blocks; remove the job's blocks key`);
  if (shape) checkBlocks(`scheme ${policy.name}`, workers, shape.rows);
  policy.check({ workers, coded: LEAST_SQUARES_POLICY_CODED, data: true });
}

/**
 * Whether least squares under an adaptive policy weighs coded schemes: no (a coded gradient needs
 * Aᵀ placed as well, which the re-planner does not move), so the candidates are additive.
 */
export const LEAST_SQUARES_POLICY_CODED = false;
