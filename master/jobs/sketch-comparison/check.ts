import { InputError } from '../../../shared/errors';
import { chooseScheme } from '../../../core/schemes';
import { checkBlocks, leastSquaresShape, type CheckContext, type Footprint } from '../check-types';
import { checkLeastSquaresShape, leastSquaresFootprint } from '../least-squares/check';
import type { SketchComparisonJobSpec } from './schema';

/** Table I's rules: the leverage scheme sets the sketch, K equal blocks, several instances need the generator. */
export function checkSketchComparison(job: SketchComparisonJobSpec, ctx: CheckContext): Footprint {
  if (job.scheme.name !== 'leverage') throw new InputError(`sketch-comparison: scheme must be leverage (its q and slots set the sketch), got '${job.scheme.name}'`);
  if (!job.data.synthetic && job.instances > 1) throw new InputError('sketch-comparison: several instances need synthetic data (instance i uses seed + i)');
  const shape = leastSquaresShape(job.data, ctx);
  checkLeastSquaresShape(shape);
  const scheme = chooseScheme(job.scheme);
  const K = job.blocks ?? scheme.defaultBlocks(ctx.workers);
  if (shape) {
    checkBlocks('sketch-comparison', K, shape.rows);
    if (shape.rows % K !== 0) throw new InputError(`sketch-comparison: ${shape.rows} rows do not split into ${K} equal blocks`);
  }
  scheme.check({ workers: ctx.workers, blocks: K, ...(shape ? { rows: shape.rows } : {}) });
  return leastSquaresFootprint(shape);
}
