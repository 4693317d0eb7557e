/** `job: logistic-regression` (GD, Newton, OverSketched Newton, GIANT): its schema, runner and result. */
import type { JobKindModule } from '../types';
import { checkLogisticRegression } from './check';
import { runLogisticRegression, type LogisticRegressionResult } from './runner';
import { logisticRegressionJobSchema, type LogisticRegressionJobSpec } from './schema';

export {
  logisticRegressionJobSchema,
  type LogisticRegressionJobSpec,
  type LogisticDataSpec,
  type LogisticSyntheticSpec,
  type SketchSpec,
} from './schema';
export { runLogisticRegression, type LogisticRegressionResult, type EvaluatedIteration } from './runner';

export const logisticRegressionKind: JobKindModule<LogisticRegressionJobSpec, LogisticRegressionResult> = {
  check: checkLogisticRegression,
  schema: logisticRegressionJobSchema,
  run: runLogisticRegression,
  example: 'examples/logreg-oversketch.yaml',
};
