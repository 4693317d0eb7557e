import { z } from 'zod';

/**
 * The job file's `chaos.delay` (and a schedule's `set delay`): one strict object per
 * distribution. Here rather than in shared/config so chaos schedules can name a delay too.
 */
const nonNeg = z.number().nonnegative();
const pos = z.number().positive();

/**
 * `per`: worker-round (default: one slowdown per worker and round × each task's work, a worker's
 * tasks one after another) or task (an independent draw per task, tasks side by side).
 * `work`: what a task's work counts, ops (default: its floating-point operations over the job's
 * reference task's) or rows (the data it touches, the measure before operations were counted).
 */
const per = { per: z.enum(['worker-round', 'task']).optional(), work: z.enum(['ops', 'rows']).optional() };

export const delaySchema = z
  .discriminatedUnion('dist', [
    z.object({ dist: z.literal('none'), ...per }).strict(),
    z.object({ dist: z.literal('constant'), value: nonNeg, ...per }).strict(),
    z.object({ dist: z.literal('exponential'), rate: pos, ...per }).strict(),
    z.object({ dist: z.literal('shifted-exponential'), shift: nonNeg, rate: pos, ...per }).strict(),
    z.object({ dist: z.literal('pareto'), scale: pos, alpha: pos, ...per }).strict(),
    z.object({ dist: z.literal('bimodal'), p: z.number().min(0).max(1), fast: nonNeg, slow: nonNeg, ...per }).strict(),
    z.object({ dist: z.literal('mixture'), base: nonNeg, multiples: z.array(nonNeg).min(1), weights: z.array(nonNeg).min(1), ...per }).strict(),
    z.object({ dist: z.literal('lambda-tail'), base: nonNeg, ...per }).strict(),
    /**
     * Correlated slow periods: each worker alternates between a normal state (delay `base`) and a
     * slow one (`base` × `factor`), staying in each for an exponential time of mean `normalDwell`
     * and `slowDwell` seconds (a two-state Markov-modulated delay, seeded per worker).
     */
    z
      .object({
        dist: z.literal('markov'),
        base: nonNeg,
        factor: z.number().min(1),
        normalDwell: pos,
        slowDwell: pos,
        ...per,
      })
      .strict(),
    /**
     * A CSV of measured times (seconds for one unit of work), one column per worker or one for
     * all: replayed in order or resampled with the chaos seed, times `scale`. The master reads
     * it (a bad row: exit 2 naming the line) and sends each worker its own stream.
     */
    z
      .object({
        dist: z.literal('trace'),
        file: z.string().min(1),
        mode: z.enum(['replay', 'resample']).default('replay'),
        scale: pos.default(1),
        ...per,
      })
      .strict(),
  ])
  .superRefine((d, ctx) => {
    if (d.dist !== 'mixture') return;
    if (d.multiples.length !== d.weights.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['weights'], message: 'mixture needs as many weights as multiples' });
    } else if (Math.abs(d.weights.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['weights'], message: 'mixture weights must sum to 1' });
    }
  });

export type DelayInput = z.input<typeof delaySchema>;
