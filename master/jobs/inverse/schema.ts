import { z } from 'zod';
import { commonJobFields, roundsStopSchema } from '../../../shared/config';

/**
 * `job: inverse` (square nonsingular A) and `job: pseudoinverse` (tall full-rank A, (AᵀA)⁻¹Aᵀ):
 * columns solved on workers by CG or SD over fractional repetition (the inverse paper).
 *
 *   job: inverse
 *   data: { A: A.npy }                  # or synthetic: { kind: gaussian, rows: 200, cols: 200, seed: 1 }
 *   scheme: { name: frc, stragglers: 1 }
 *   solver: cg                          # cg (default) | sd: SD stalls at condition numbers in the hundreds
 *   tol: 1.0e-10                        # ε: each column stops when ‖∇f_i‖₂ ≤ ε
 *
 * Example: examples/inverse-experiment.yaml.
 */
export const inverseDataSchema = z
  .object({
    A: z.string().min(1).optional(),
    synthetic: z
      .object({
        kind: z.literal('gaussian'),
        rows: z.number().int().positive(),
        cols: z.number().int().positive(),
        seed: z.number().int().nonnegative().default(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (!!d.A === !!d.synthetic) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give A (a float64 .npy file) or synthetic: { kind: gaussian, rows, cols, seed }, not both' });
    }
  });

const inverseFields = {
  data: inverseDataSchema,
  ...commonJobFields,
  stop: roundsStopSchema.default({}),
  /** Only frc applies: the inverse is coded by fractional repetition of column groups. */
  scheme: z.object({ name: z.literal('frc') }).passthrough().default({ name: 'frc', stragglers: 0 }),
  /** Column solver: cg (default) or sd (steepest descent with backtracking line search). */
  solver: z.enum(['cg', 'sd']).default('cg'),
  /** ε of the stopping rule ‖∇f_i‖₂ ≤ ε. */
  tol: z.number().positive().default(1e-10),
  /** Iteration cap per column; default 20·n for CG, 100000 for SD. */
  maxIterations: z.number().int().positive().optional(),
  /** Compute the exact reference (ml-matrix) for the report's errors: auto = when the larger dimension ≤ 1000. */
  reference: z.union([z.boolean(), z.literal('auto')]).default('auto'),
};

export const inverseJobSchema = z.object({ job: z.literal('inverse'), ...inverseFields }).strict();
export const pseudoinverseJobSchema = z.object({ job: z.literal('pseudoinverse'), ...inverseFields }).strict();

export type InverseJobSpec = z.infer<typeof inverseJobSchema> | z.infer<typeof pseudoinverseJobSchema>;
