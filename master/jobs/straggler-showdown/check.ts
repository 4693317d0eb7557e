import { leastSquaresShape, type CheckContext, type Footprint } from '../check-types';
import { checkLeastSquaresScheme, checkLeastSquaresShape, leastSquaresFootprint } from '../least-squares/check';
import { showdownSchemes } from './fair-share';
import type { StragglerShowdownJobSpec } from './schema';

/** Every scheme of the showdown, with its fair share, against the data and the workers. */
export function checkStragglerShowdown(job: StragglerShowdownJobSpec, ctx: CheckContext): Footprint {
  const shape = leastSquaresShape(job.data, ctx);
  checkLeastSquaresShape(shape);
  for (const { choice, blocks } of showdownSchemes(job, ctx.workers).specs) checkLeastSquaresScheme(choice, shape, ctx.workers, blocks);
  return leastSquaresFootprint(shape);
}
