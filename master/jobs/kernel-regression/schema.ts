import { z } from 'zod';
import { commonJobFields, roundsStopSchema } from '../../../shared/config';

/**
 * kernel-regression: ridgeless kernel regression (Kα = y) by EigenPro, synchronous
 * (`eigenpro-sync`, section 2.2 of the AsyncEigenPro paper) or asynchronous and lock-free
 * (`eigenpro-async`, Algorithm 1). Data: X.npy (n×d) and y.npy (n), or a seeded generator; a
 * random test split (or given test files). Example: examples/kernel-regression.yaml.
 */
const posInt = z.number().int().positive();

export const kernelSyntheticSchema = z
  .object({
    /** regression: y = sin(2x₁) + cos(x₂)x₃ + noise; classification: its sign (±1 labels). */
    kind: z.enum(['regression', 'classification']),
    rows: posInt,
    cols: z.number().int().min(3),
    noise: z.number().nonnegative().default(0.1),
    seed: z.number().int().nonnegative().default(1),
  })
  .strict();

export const kernelDataSchema = z
  .object({
    X: z.string().min(1).optional(),
    y: z.string().min(1).optional(),
    Xtest: z.string().min(1).optional(),
    ytest: z.string().min(1).optional(),
    synthetic: kernelSyntheticSchema.optional(),
    /** Share of the points held out for testing when no test files are given. */
    testFraction: z.number().min(0).max(0.9).default(0.2),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.synthetic && (d.X || d.y)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give either X and y files or synthetic, not both' });
    else if (!d.synthetic && !(d.X && d.y)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs X and y files (.npy/.csv), or synthetic: { kind, rows, cols }' });
    if (!!d.Xtest !== !!d.ytest) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give both Xtest and ytest, or neither' });
  });

export const kernelSpecSchema = z
  .object({
    name: z.enum(['gaussian', 'laplacian']),
    bandwidth: z.number().positive(),
  })
  .strict();

export const eigenproSchema = z
  .object({
    /** Nyström sample per worker (s), drawn from the worker's own slice; capped by the slice size. */
    nystrom: posInt.default(500),
    /** Top eigenpairs flattened by the preconditioner (q). */
    q: posInt.default(40),
    /** Mini-batch per worker and iteration (m). */
    batch: posInt.default(64),
    /**
     * paper: Theorem 1's step η = m/(β + λ_{q+1}(m − 1)), which does not depend on the staleness
     * τ (async: each worker's own batch m, β and λ_{q+1}; sync: the round's G·m batch).
     * staleness-aware (Coda's rule, not the paper's): async η_τ = m/(β + λ_{q+1}((τ̂+1)m − 1)),
     * τ̂ the staleness the worker observes (at least G − 1); sync is τ = 0, the paper's step.
     * A number: that step, fixed.
     */
    step: z.union([z.enum(['paper', 'staleness-aware']), z.number().positive()]).default('staleness-aware'),
    /** Passes over the training data (an epoch is n points processed, by all workers together). */
    epochs: z.number().positive().default(10),
    /** Stop once the relative training error ‖Kα − y‖²/‖y‖² (on the evaluation sample) is below this. */
    targetError: z.number().positive().optional(),
    /** Training points the loss curve is evaluated on (all when n is smaller); 0 = all. */
    evalPoints: z.number().int().nonnegative().default(2000),
    /** Loss-curve points per epoch. */
    evalsPerEpoch: posInt.default(2),
    /**
     * eigenpro-async's α: sharded (each worker owns its slice and serves it; reads gather the
     * slices from their owners without locks) or master (one store on the master: the
     * centralized baseline, where every read is a consistent copy).
     */
    store: z.enum(['sharded', 'master']).default('sharded'),
  })
  .strict();

export const kernelRegressionJobSchema = z
  .object({
    job: z.literal('kernel-regression'),
    data: kernelDataSchema,
    solver: z.enum(['eigenpro-sync', 'eigenpro-async']).default('eigenpro-async'),
    kernel: kernelSpecSchema,
    eigenpro: eigenproSchema.default({}),
    ...commonJobFields,
    /** stop.timeLimit bounds the iterations; epochs and eigenpro.targetError end them. */
    stop: roundsStopSchema.default({}),
  })
  .strict();

export type KernelRegressionJobSpec = z.infer<typeof kernelRegressionJobSchema>;
export type EigenproSpec = z.infer<typeof eigenproSchema>;
