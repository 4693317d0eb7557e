import { z } from 'zod';
import { chaosSchema, type ChaosSpec } from '../shared/config';

/**
 * The experiment file: a base job and a matrix of substitutions. Every object is strict: an
 * unknown key is an error that names it. Each run (base job with one choice per axis) is then
 * validated against the job schema itself, so a bad key inside `base` is named too.
 *
 *   name: straggler-showdown
 *   base: { job: least-squares, data: { synthetic: {...} }, stop: {...} }
 *   matrix:
 *     schemes: [wait-all, { name: frc, stragglers: 1 }]
 *     chaos: { none: {}, lambda-tail: { delay: { dist: lambda-tail, base: 0.01 } } }
 *     seeds: [1, 2, 3]
 *     workers: [8]
 *   targets: [1e-3, 1e-6]
 */

const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash or underscore');

/** A scheme: its registry name, or an object with `name`, its parameters and an optional `label`. */
export const schemeEntrySchema = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), label: slug.optional() }).passthrough(),
]);

/** A named chaos profile: a job's `chaos` without `seed` (each run's seed sets it), validated by the job schema's own chaos. */
export const chaosProfileSchema = z
  .record(z.unknown())
  .superRefine((p, ctx) => {
    if ('seed' in p) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['seed'], message: "set matrix.seeds instead (each run's seed is its chaos seed)" });
    const r = chaosSchema.safeParse(p);
    if (r.success) return;
    for (const i of r.error.issues) {
      const message = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: i.path, message });
    }
  })
  .transform((p): Omit<ChaosSpec, 'seed'> => {
    const { seed: _seed, ...rest } = chaosSchema.parse(p);
    return rest;
  });

export const matrixSchema = z
  .object({
    /** Named variants of the base job (e.g. step rules, job kinds), deep-merged onto `base`. Default: one, named after base.job. */
    algorithms: z.record(slug, z.record(z.unknown())).optional(),
    /** Default: the base job's scheme. */
    schemes: z.array(schemeEntrySchema).min(1).optional(),
    /** Named profiles. Default: `base` (the base job's chaos) or `none`. */
    chaos: z.record(slug, chaosProfileSchema).optional(),
    /** Each seed sets the job's seed (plans, samplers) and its chaos seed (delay draws); the data stays the same. */
    seeds: z.array(z.number().int().nonnegative()).min(1).default([1]),
    /** Default: the base job's workers. Smaller counts run on a subset of one cluster of the largest. */
    workers: z.array(z.number().int().positive()).min(1).optional(),
  })
  .strict();

export const experimentSchema = z
  .object({
    name: slug.optional(),
    description: z.string().optional(),
    /** A job file's content (any registered job kind) without `out`, `master` and `seed`. */
    base: z.record(z.unknown()).refine((b) => typeof b.job === 'string', { message: "needs 'job:' (the job kind, e.g. least-squares)" }),
    matrix: matrixSchema.default({}),
    /** Error targets: the report gives the wall time at which each run's error first reached each. */
    targets: z.array(z.number().positive()).min(1).default([1e-3, 1e-6]),
    /** The chaos profile that counts as "no injected delay" for the straggler tax. Default: the first profile without delay or faults. */
    baseline: slug.optional(),
    /** Output folder. Default: out/<name>. */
    out: z.string().min(1).optional(),
    /** A running master (host:port) to submit every run to; absent: one local cluster of processes. */
    master: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    for (const k of ['out', 'master', 'seed'] as const) {
      if (k in e.base) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['base', k], message: `set ${k === 'seed' ? 'matrix.seeds' : `the experiment's top-level '${k}'`} instead` });
      }
    }
    if (e.matrix.chaos && 'chaos' in e.base) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['base', 'chaos'], message: 'give chaos either in base or as matrix.chaos profiles, not both' });
    }
    if (e.matrix.schemes && 'scheme' in e.base) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['base', 'scheme'], message: 'give the scheme either in base or as matrix.schemes, not both' });
    }
    if (e.baseline && e.matrix.chaos && !(e.baseline in e.matrix.chaos)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['baseline'], message: `'${e.baseline}' is not one of the chaos profiles (${Object.keys(e.matrix.chaos).join(', ')})` });
    }
  });

export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;
export type SchemeEntry = z.infer<typeof schemeEntrySchema>;
export type ChaosProfile = z.infer<typeof chaosProfileSchema>;
