import { inverseKind, pseudoinverseKind } from './inverse';
import type { JobKind, JobSpecOf } from './job-schema';
import { kernelRegressionKind } from './kernel-regression';
import { leastSquaresKind } from './least-squares';
import { logisticRegressionKind } from './logistic-regression';
import { sketchComparisonKind } from './sketch-comparison';
import { stragglerShowdownKind } from './straggler-showdown';
import type { JobKindModule } from './types';

/**
 * Every job kind, by its `job:` name. `satisfies` makes the compiler check the table against the
 * job union (job-schema.ts): a kind without a module, or a module for no kind, does not build.
 */
export const JOB_KINDS = {
  'least-squares': leastSquaresKind,
  inverse: inverseKind,
  pseudoinverse: pseudoinverseKind,
  'sketch-comparison': sketchComparisonKind,
  'logistic-regression': logisticRegressionKind,
  'kernel-regression': kernelRegressionKind,
  'straggler-showdown': stragglerShowdownKind,
} satisfies { [K in JobKind]: JobKindModule<JobSpecOf<K>, unknown> };

/** result.json's type for each job kind. */
export type JobResultOf<K extends JobKind> = Awaited<ReturnType<(typeof JOB_KINDS)[K]['run']>>['result'];
