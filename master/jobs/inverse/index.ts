/** `job: inverse` and `job: pseudoinverse`: one folder, two schemas (same keys), one runner. */
import type { JobKindModule } from '../types';
import { checkInverse } from './check';
import { runInverse, type InverseResult } from './runner';
import { inverseJobSchema, pseudoinverseJobSchema, type InverseJobSpec } from './schema';

export { inverseJobSchema, pseudoinverseJobSchema, inverseDataSchema, type InverseJobSpec } from './schema';
export { runInverse, inverseOutputName, type InverseResult } from './runner';

type Inverse = Extract<InverseJobSpec, { job: 'inverse' }>;
type Pseudoinverse = Extract<InverseJobSpec, { job: 'pseudoinverse' }>;

export const inverseKind: JobKindModule<Inverse, InverseResult> = {
  check: checkInverse,
  schema: inverseJobSchema,
  run: runInverse,
  example: 'examples/inverse-experiment.yaml',
};

export const pseudoinverseKind: JobKindModule<Pseudoinverse, InverseResult> = {
  check: checkInverse,
  schema: pseudoinverseJobSchema,
  run: runInverse,
  example: 'examples/pseudoinverse.yaml',
};
