import { z } from 'zod';
import { commonJobFields, roundsStopSchema, schemeSchema } from '../../../shared/config';
import { LOGISTIC_SOLVERS } from '../../../algorithms/logistic/types';
import { NEWTON_STEPS } from '../../../algorithms/logistic/newton';
import { logisticDataSchema } from '../../data/logistic-schema';

export { logisticDataSchema, logisticSyntheticSchema, type LogisticDataSpec, type LogisticSyntheticSpec } from '../../data/logistic-schema';

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

export const logisticSolverSchema = z.enum(LOGISTIC_SOLVERS);

export const sketchSchema = z
  .object({
    /** m = factor·d (the paper: 10d to 15d). Ignored when size is given. */
    factor: z.number().positive().default(10),
    /** m, the sketch dimension kept after dropping the e slowest blocks (m = N·b). */
    size: posInt.optional(),
    /** N: sketch blocks used per iteration (default: workers − extra). */
    blocks: posInt.optional(),
    /** e: extra sketch blocks launched and ignored if slowest (default: a quarter of the sketch's workers, at least 1). */
    extra: z.number().int().nonnegative().optional(),
    /**
     * R: row blocks of X; a sketch task reads one and returns its partial sketch (Figure 3). Default:
     * the most for which one slow worker delays at most e sketch blocks (1: every sketch host
     * holds all of X and multiplies its block itself).
     */
    rowBlocks: posInt.optional(),
    /** Logical workers the sketch runs on: the first this many of the job's (default all). */
    workers: posInt.optional(),
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
    /**
     * Also stop once f(w) − f* ≤ this, f* from an exact Newton run at the master to ‖∇f‖ ≤ 1e-13
     * (computed once per data and λ in a process); every iteration's f − f* goes to the history
     * (`suboptimality`, what experiments plot and time targets on).
     */
    suboptimality: z.number().positive().optional(),
  })
  .strict();

export const logisticRegressionJobSchema = z
  .object({
    job: z.literal('logistic-regression'),
    data: logisticDataSchema,
    solver: logisticSolverSchema.default('oversketched-newton'),
    lambda: z.number().nonnegative().default(1e-4),
    sketch: sketchSchema.default({}),
    /**
     * The exact Hessian's round (newton): an exact scheme with one plain block a slot (speculative,
     * default with the paper's rule, §4.4: wait for 90% of the workers, restart the rest; wait-all;
     * replication), on `workers` (the first this many of the
     * job's; default all) in `blocks` row-block tasks (default one per Hessian worker).
     */
    hessian: z
      .object({
        scheme: schemeSchema.default({ name: 'speculative', rule: 'paper' }),
        blocks: posInt.optional(),
        workers: posInt.optional(),
      })
      .strict()
      .default({}),
    /** The Newton solvers' step: armijo (the unit step when Armijo accepts it) or unit (Algorithm 1, the paper's runs). */
    newton: z
      .object({ step: z.enum(NEWTON_STEPS).default('armijo') })
      .strict()
      .default({}),
    /** Logical workers the gradient (coded products, GIANT's rounds, row-block gd) runs on: the first this many (default all). */
    gradientWorkers: posInt.optional(),
    ...commonJobFields,
    /**
     * Gradient scheme (algorithms/logistic/solve.ts decides from the scheme's capabilities): for
     * newton and oversketched-newton coded products (product-code, the default; mds) or uncoded ones
     * stacked (speculative, wait-all, replication); for gd a coded scheme's products, or row blocks
     * under any uncoded scheme; for giant row blocks (wait-all, the default; ignore-stragglers,
     * speculative, replication, frc).
     */
    scheme: schemeSchema.optional(),
    stop: logisticStopSchema.default({}),
  })
  .strict();

export type LogisticRegressionJobSpec = z.infer<typeof logisticRegressionJobSchema>;
export type { LogisticSolver } from '../../../algorithms/logistic';
export type SketchSpec = z.infer<typeof sketchSchema>;
