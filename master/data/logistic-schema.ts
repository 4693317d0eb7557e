/**
 * The data section of a logistic-regression job file (examples and ±1 labels from files, LIBSVM
 * text or a seeded generator): here, beside its loader, so that data/ does not import jobs/.
 */
import { z } from 'zod';

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

export type LogisticDataSpec = z.infer<typeof logisticDataSchema>;
export type LogisticSyntheticSpec = z.infer<typeof logisticSyntheticSchema>;
