/** `job: least-squares`: its schema, runner and result. */
import type { JobKindModule } from '../types';
import { checkLeastSquares } from './check';
import { runLeastSquares, type LeastSquaresResult } from './runner';
import { leastSquaresJobSchema, type LeastSquaresJobSpec } from './schema';

export { leastSquaresJobSchema, stepSchema, type LeastSquaresJobSpec, type StepSpec } from './schema';
export { runLeastSquares, type LeastSquaresResult } from './runner';
export { setUpLeastSquares, type LsSetup } from './setup';

export const leastSquaresKind: JobKindModule<LeastSquaresJobSpec, LeastSquaresResult> = {
  check: checkLeastSquares,
  schema: leastSquaresJobSchema,
  run: runLeastSquares,
  example: 'examples/least-squares.yaml',
};
