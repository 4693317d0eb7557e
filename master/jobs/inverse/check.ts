import { ShapeError } from '../../../shared/errors';
import { frc } from '../../../core/schemes/frc';
import type { CheckContext, Footprint, Shape } from '../check-types';
import { inverseFrc } from './runner';
import type { InverseJobSpec } from './schema';

/** A square A (inverse) or a tall one (pseudoinverse), and frc's s against the workers. */
export function checkInverse(job: InverseJobSpec, ctx: CheckContext): Footprint {
  const params = inverseFrc(job);
  const shape: Shape | undefined = job.data.synthetic ? { rows: job.data.synthetic.rows, cols: job.data.synthetic.cols } : ctx.shape(job.data.A!);
  if (shape) {
    if (job.job === 'inverse' && shape.rows !== shape.cols) throw new ShapeError(`inverse: A must be square, got ${shape.rows}×${shape.cols} (use job: pseudoinverse for a tall A)`);
    if (job.job === 'pseudoinverse' && shape.rows < shape.cols) throw new ShapeError(`pseudoinverse: A must be tall (rows ≥ columns), got ${shape.rows}×${shape.cols}`);
  }
  const unknowns = shape?.cols ?? 1;
  frc.check!(params, { workers: ctx.workers, blocks: unknowns });
  if (!shape) return { master: 0, workers: 0, what: 'A' };
  const nd = shape.rows * shape.cols;
  const dd = shape.cols * shape.cols;
  // The master: A, the estimate, a Gram for the pseudoinverse, the reference's copies; every worker stores A.
  return { master: 2 * nd + 4 * dd, workers: ctx.workers * nd, what: `A ${shape.rows}×${shape.cols}` };
}
