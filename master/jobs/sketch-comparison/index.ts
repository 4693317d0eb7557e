/** `job: sketch-comparison` (the leverage paper's Table I): its schema, runner and result. */
import type { JobKindModule } from '../types';
import { checkSketchComparison } from './check';
import { runSketchComparison, type SketchComparisonResult } from './runner';
import { sketchComparisonJobSchema, type SketchComparisonJobSpec } from './schema';

export { sketchComparisonJobSchema, type SketchComparisonJobSpec } from './schema';
export { runSketchComparison, type SketchComparisonResult } from './runner';

export const sketchComparisonKind: JobKindModule<SketchComparisonJobSpec, SketchComparisonResult> = {
  check: checkSketchComparison,
  schema: sketchComparisonJobSchema,
  run: runSketchComparison,
  example: 'examples/leverage-table1.yaml',
};
