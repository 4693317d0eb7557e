import { z } from 'zod';
import { inverseJobSchema, pseudoinverseJobSchema } from './jobs/inverse';
import { leastSquaresJobSchema } from './jobs/least-squares';
import { logisticRegressionJobSchema } from './jobs/logistic-regression';
import { sketchComparisonJobSchema } from './jobs/sketch-comparison';
import { kernelRegressionJobSchema } from './jobs/kernel-regression';
import { stragglerShowdownJobSchema } from './jobs/straggler-showdown';

/**
 * The job file schema: one strict object per job kind, chosen by `job:`. Adding a job kind is a
 * new module in jobs/ and one entry here. Every object is strict: an unknown key is an error
 * that names it.
 */
export const jobSchema = z.discriminatedUnion('job', [leastSquaresJobSchema, inverseJobSchema, pseudoinverseJobSchema, sketchComparisonJobSchema, logisticRegressionJobSchema, kernelRegressionJobSchema, stragglerShowdownJobSchema]);

export type JobSpec = z.infer<typeof jobSchema>;
export type JobInput = z.input<typeof jobSchema>;
export type JobKind = JobSpec['job'];
