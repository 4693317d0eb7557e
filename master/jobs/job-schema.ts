import { z } from 'zod';
import { inverseJobSchema, pseudoinverseJobSchema } from './inverse/schema';
import { kernelRegressionJobSchema } from './kernel-regression/schema';
import { leastSquaresJobSchema } from './least-squares/schema';
import { logisticRegressionJobSchema } from './logistic-regression/schema';
import { sketchComparisonJobSchema } from './sketch-comparison/schema';
import { stragglerShowdownJobSchema } from './straggler-showdown/schema';

/**
 * The job file schema: one strict object per job kind, chosen by `job:`, assembled from the
 * kinds' folders. Adding a job kind is a new folder <kind>/ (schema, runner, result) and one
 * entry here and in kinds.ts; the compiler refuses a kind missing from either. Every object is
 * strict: an unknown key is an error that names it.
 */
export const jobSchema = z.discriminatedUnion('job', [
  leastSquaresJobSchema,
  inverseJobSchema,
  pseudoinverseJobSchema,
  sketchComparisonJobSchema,
  logisticRegressionJobSchema,
  kernelRegressionJobSchema,
  stragglerShowdownJobSchema,
]);

export type JobSpec = z.infer<typeof jobSchema>;
export type JobInput = z.input<typeof jobSchema>;
export type JobKind = JobSpec['job'];
/** The validated job of one kind. */
export type JobSpecOf<K extends JobKind> = Extract<JobSpec, { job: K }>;
