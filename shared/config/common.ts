import { z } from 'zod';
import { delaySchema } from '../chaos/delay-schema';
import { ChaosScheduleError, chaosScheduleSchema, parseChaosSchedule } from '../chaos/schedule';

export { delaySchema };

/**
 * The job file schema. Every object is strict: an unknown key is an error that names it.
 * Defaults are documented here and in docs/job-files.md.
 */
const posInt = z.number().int().positive();
const nonNeg = z.number().nonnegative();
const pos = z.number().positive();

export const syntheticSchema = z
  .object({
    /** gaussian: N(0,1) entries; student-t: t-distributed entries with `df` degrees of freedom. */
    kind: z.enum(['gaussian', 'student-t']),
    rows: posInt,
    cols: posInt,
    seed: z.number().int().nonnegative().default(1),
    /** Degrees of freedom for student-t (the leverage paper uses heavy tails to make leverage uneven). */
    df: pos.default(1.5),
    /** b = A x_planted + noise · N(0, 1). */
    noise: nonNeg.default(0.01),
  })
  .strict();

export const dataSchema = z
  .object({
    A: z.string().min(1).optional(),
    b: z.string().min(1).optional(),
    synthetic: syntheticSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.synthetic && (d.A || d.b)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give either A and b files or synthetic, not both' });
    } else if (!d.synthetic && !(d.A && d.b)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs both A and b files, or synthetic: { kind, rows, cols, seed }' });
    }
  });

export const faultSchema = z
  .object({
    dropProbability: z.number().min(0).max(1).default(0),
    hangProbability: z.number().min(0).max(1).default(0),
    crashAfterTasks: z.number().int().nonnegative().default(0),
  })
  .strict();

export const chaosSchema = z
  .object({
    delay: delaySchema.default({ dist: 'none' }),
    fault: faultSchema.default({}),
    seed: z.number().int().nonnegative().default(0),
    /** Worker indices the chaos applies to; absent means every worker. */
    workers: z.array(z.number().int().nonnegative()).optional(),
    /**
     * Tasks a worker runs at once under the worker-round delay model (a worker with more cores
     * works through its slots of a round in parallel); 1 runs them one after another.
     */
    cores: posInt.default(1),
    /** Process- or container-level faults at given rounds or times ("at round 5 pause worker 3 for 2s"). */
    schedule: chaosScheduleSchema
      .superRefine((entries, ctx) => {
        try {
          parseChaosSchedule(entries, 'schedule');
        } catch (e) {
          if (!(e instanceof ChaosScheduleError)) throw e;
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: e.message.replace(/^schedule/, '') || e.message });
        }
      })
      .optional(),
  })
  .strict();

/**
 * When an iterative job stops. `stop.tol` has one meaning wherever it is accepted: the relative
 * gradient norm ‖∇f(x)‖/‖∇f(x⁽⁰⁾)‖ (x⁽⁰⁾ = 0), as least squares uses it. A job kind that stops on
 * something else names it differently (logistic regression: `stop.gradNorm`, the absolute
 * ‖∇f(w)‖₂), and a kind that does not stop on a gradient at all refuses `stop.tol` (roundsStop).
 */
const stopRounds = {
  maxRounds: posInt.default(5000),
  /** Seconds of wall time for the iterations (placement not included). */
  timeLimit: pos.default(300),
};

export const stopSchema = z
  .object({
    /** Relative gradient norm ‖∇f(x)‖ / ‖∇f(0)‖ at which to stop. */
    tol: nonNeg.default(1e-10),
    ...stopRounds,
  })
  .strict();

/** The stop rule of a kind with no gradient tolerance: a round cap and a time limit only. */
export const roundsStopSchema = z.object(stopRounds).strict();

/** Scheme parameters are validated by the scheme registry (core/schemes), which knows them. */
export const schemeSchema = z.object({ name: z.string().min(1) }).passthrough();

/**
 * Keys every job kind has. A job kind's schema (master/jobs/<kind>/schema.ts) spreads these into
 * its own strict object and adds `job: <literal>`, its `data`, its `stop` and its own keys.
 */
export const commonJobFields = {
  scheme: schemeSchema.default({ name: 'wait-all' }),
  workers: posInt.default(8),
  /** Number of data blocks K; defaults to what the scheme's plan needs (usually `workers`). */
  blocks: posInt.optional(),
  chaos: chaosSchema.default({}),
  seed: z.number().int().nonnegative().default(1),
  /**
   * Seconds a task may take before the master gives up on it and runs its slot elsewhere: the
   * backstop for a worker that is alive but never answers (a dropped result, a hang, a pause).
   */
  taskTimeout: pos.default(30),
  out: z.string().min(1).optional(),
  /** A running master to submit to (host:port); absent means an embedded local cluster. */
  master: z.string().min(1).optional(),
};

export type SyntheticSpec = z.infer<typeof syntheticSchema>;
export type DataSpec = z.infer<typeof dataSchema>;
export type ChaosSpec = z.infer<typeof chaosSchema>;
export type StopSpec = z.infer<typeof stopSchema>;
export type RoundsStopSpec = z.infer<typeof roundsStopSchema>;
export type SchemeSpec = z.infer<typeof schemeSchema>;
