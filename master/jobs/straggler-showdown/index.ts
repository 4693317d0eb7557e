/** `job: straggler-showdown`: every scheme on one least-squares job; its schema, runner and result. */
import type { JobKindModule } from '../types';
import { runStragglerShowdown, type StragglerShowdownResult } from './runner';
import { stragglerShowdownJobSchema, type StragglerShowdownJobSpec } from './schema';

export { stragglerShowdownJobSchema, DEFAULT_SHOWDOWN_SCHEMES, type StragglerShowdownJobSpec } from './schema';
export { runStragglerShowdown, fairShare, type StragglerShowdownResult } from './runner';

export const stragglerShowdownKind: JobKindModule<StragglerShowdownJobSpec, StragglerShowdownResult> = {
  schema: stragglerShowdownJobSchema,
  run: runStragglerShowdown,
  example: 'examples/straggler-showdown.yaml',
};
