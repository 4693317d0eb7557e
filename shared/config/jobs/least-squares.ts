import { z } from 'zod';
import { commonJobFields, dataSchema } from '../common';

/** line-search: exact step along the direction; inverse-lipschitz: 1/σ_max(A)²; a number: fixed. */
export const stepSchema = z.union([z.enum(['line-search', 'inverse-lipschitz']), z.number().positive()]);

export const leastSquaresJobSchema = z
  .object({
    job: z.literal('least-squares'),
    data: dataSchema,
    step: stepSchema.default('line-search'),
    ...commonJobFields,
  })
  .strict();

export type LeastSquaresJobSpec = z.infer<typeof leastSquaresJobSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
