/** `job: straggler-showdown`: every scheme on one least-squares job; its schema, runner and result. */
import type { JobKindModule } from '../types';
import { checkStragglerShowdown } from './check';
import { runStragglerShowdown, type StragglerShowdownResult } from './runner';
import { stragglerShowdownJobSchema, type StragglerShowdownJobSpec } from './schema';

export { stragglerShowdownJobSchema, defaultShowdownSchemes, type StragglerShowdownJobSpec } from './schema';
export { runStragglerShowdown, type StragglerShowdownResult } from './runner';
export { fairShare, showdownSchemes } from './fair-share';

export const stragglerShowdownKind: JobKindModule<StragglerShowdownJobSpec, StragglerShowdownResult> = {
  check: checkStragglerShowdown,
  schema: stragglerShowdownJobSchema,
  run: runStragglerShowdown,
  example: 'examples/straggler-showdown.yaml',
};
