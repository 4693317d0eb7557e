import { z } from 'zod';
import { commonJobFields, dataSchema, stopSchema } from '../../../shared/config';

/**
 * `job: least-squares`: ½‖Ax − b‖² by steepest descent, the gradient decoded from the workers under
 * any scheme each round. Example: examples/least-squares.yaml (its A.npy and b.npy: docs/first-experiment.md).
 *
 *   job: least-squares
 *   data: { synthetic: { kind: student-t, rows: 2000, cols: 40, seed: 1 } }   # or { A: A.npy, b: b.npy }
 *   scheme: { name: frc, stragglers: 1 }
 *   stop: { tol: 1e-10, maxRounds: 5000, timeLimit: 60 }   # tol: ‖∇f(x)‖/‖∇f(0)‖
 */

/** line-search: exact step along the direction; inverse-lipschitz: 1/σ_max(A)²; a number: fixed. */
export const stepSchema = z.union([z.enum(['line-search', 'inverse-lipschitz']), z.number().positive()]);

export const leastSquaresJobSchema = z
  .object({
    job: z.literal('least-squares'),
    data: dataSchema,
    step: stepSchema.default('line-search'),
    ...commonJobFields,
    stop: stopSchema.default({}),
  })
  .strict();

export type LeastSquaresJobSpec = z.infer<typeof leastSquaresJobSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
