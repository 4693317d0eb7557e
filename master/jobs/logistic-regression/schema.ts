import { z } from 'zod';
import { commonJobFields, roundsStopSchema, schemeSchema } from '../../../shared/config';
import { LOGISTIC_SOLVERS } from '../../../algorithms/logistic/types';

/**
 * job: logistic-regression — min (1/n) Σ log(1 + exp(−yᵢxᵢᵀw)) + (λ/2)‖w‖², labels ±1.
 *
 *   data: { synthetic: { rows: 20000, cols: 100, seed: 3 }, test: { fraction: 0.2 } }
 *   solver: oversketched-newton        # gd | newton | oversketched-newton | giant
 *   lambda: 1e-4
 *   sketch: { factor: 10, blocks: 6, extra: 2 }   # m = factor·d = N·b; N + e sketch tasks
 *   stop: { gradNorm: 1e-8, maxRounds: 100 }       # gradNorm: ‖∇f(w)‖₂, absolute
 *
 * Example: examples/logreg-oversketch.yaml.
 */
const posInt = z.number().int().positive();

export const logisticSyntheticSchema = z
  .object({
    rows: posInt,
    cols: posInt,
    seed: z.number().int().nonnegative().default(1),
    /** ‖w_planted‖: larger separates the classes more (and makes the problem harder to condition). */
    signal: z.number().positive().default(3),
    /** Correlation ρ between neighbouring features (AR(1) covariance): raises the Hessian's condition number. */
    correlation: z.number().min(0).lt(1).default(0),
  })
  .strict();

const testSplitSchema = z.union([
  z.object({ fraction: z.number().gt(0).lt(1), seed: z.number().int().nonnegative().default(1) }).strict(),
  z.object({ X: z.string().min(1), y: z.string().min(1) }).strict(),
  z.object({ libsvm: z.string().min(1) }).strict(),
]);

export const logisticDataSchema = z
  .object({
    /** .npy (or .csv) n×d examples and n labels ±1. */
    X: z.string().min(1).optional(),
    y: z.string().min(1).optional(),
    /** LIBSVM text ("label idx:val ..."), the format of the paper's EPSILON data set. */
    libsvm: z.string().min(1).optional(),
    /** Feature count for LIBSVM data (default: the largest index seen). */
    features: posInt.optional(),
    synthetic: logisticSyntheticSchema.optional(),
    /** A held-out test set: a seeded fraction of the data, or its own files. */
    test: testSplitSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const sources = [d.X || d.y ? 'X/y' : null, d.libsvm ? 'libsvm' : null, d.synthetic ? 'synthetic' : null].filter(Boolean);
    if (sources.length !== 1) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `give exactly one of X and y files, libsvm, or synthetic (got ${sources.length === 0 ? 'none' : sources.join(' and ')})` });
    } else if ((d.X || d.y) && !(d.X && d.y)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs both X and y files' });
    }
    if (d.features !== undefined && !d.libsvm) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['features'], message: 'features applies to libsvm data only' });
  });

export const logisticSolverSchema = z.enum(LOGISTIC_SOLVERS);

export const sketchSchema = z
  .object({
    /** m = factor·d (the paper: 10d to 15d). Ignored when size is given. */
    factor: z.number().positive().default(10),
    /** m, the sketch dimension kept after dropping the e slowest blocks (m = N·b). */
    size: posInt.optional(),
    /** N: sketch blocks used per iteration (default: workers − extra). */
    blocks: posInt.optional(),
    /** e: extra sketch blocks launched and ignored if slowest (default: a quarter of N, at least 1). */
    extra: z.number().int().nonnegative().optional(),
    /**
     * R: row blocks of X; a sketch task reads one and returns its partial sketch (Figure 3). Default:
     * the most for which one slow worker delays at most e sketch blocks (1: every sketch host
     * holds all of X and multiplies its block itself).
     */
    rowBlocks: posInt.optional(),
  })
  .strict();

export const logisticStopSchema = roundsStopSchema
  .extend({
    /** ‖∇f(w)‖₂ (absolute) at which to stop; stop.maxRounds counts iterations. */
    gradNorm: z.number().nonnegative().default(1e-8),
    /** Refused with a pointer: `stop.tol` means a relative gradient norm wherever it is accepted. */
    tol: z
      .undefined({ errorMap: () => ({ message: 'logistic-regression stops on the absolute gradient norm: use stop.gradNorm (stop.tol is the relative ‖∇f(x)‖/‖∇f(0)‖ of least squares)' }) })
      .optional(),
    /** Also stop once f(w) ≤ this value (e.g. f* + 1e-6 when comparing solvers). */
    objective: z.number().optional(),
  })
  .strict();

export const logisticRegressionJobSchema = z
  .object({
    job: z.literal('logistic-regression'),
    data: logisticDataSchema,
    solver: logisticSolverSchema.default('oversketched-newton'),
    lambda: z.number().nonnegative().default(1e-4),
    sketch: sketchSchema.default({}),
    /** Scheme of the exact Hessian's round (newton): speculative (the paper's comparison) or wait-all. */
    hessian: z
      .object({
        scheme: schemeSchema.default({ name: 'speculative' }),
        /** Row blocks (tasks) of the exact Hessian (default: one per worker). More, smaller tasks model the paper's many-worker Hessian. */
        blocks: posInt.optional(),
      })
      .strict()
      .default({}),
    ...commonJobFields,
    /** Gradient scheme: mds for gd / newton / oversketched-newton; wait-all, ignore-stragglers or frc for giant. */
    scheme: schemeSchema.optional(),
    stop: logisticStopSchema.default({}),
  })
  .strict();

export type LogisticRegressionJobSpec = z.infer<typeof logisticRegressionJobSchema>;
export type LogisticSolver = z.infer<typeof logisticSolverSchema>;
export type LogisticDataSpec = z.infer<typeof logisticDataSchema>;
export type LogisticSyntheticSpec = z.infer<typeof logisticSyntheticSchema>;
export type SketchSpec = z.infer<typeof sketchSchema>;
