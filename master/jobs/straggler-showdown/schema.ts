import { z } from 'zod';
import { commonJobFields, dataSchema, roundsStopSchema, schemeSchema } from '../../../shared/config';
import { registeredSchemes } from '../../../core/schemes';
import { stepSchema } from '../least-squares/schema';

/**
 * Every scheme on the same least-squares job and the same straggling cluster: wall time to
 * ‖x − x*‖/‖x*‖ ≤ target, the best error reached in a fixed time budget, and the straggler tax
 * (time under the job's delay over the same scheme's time with no delay injected), medians over
 * `repeats` chaos seeds. Example: examples/straggler-showdown.yaml.
 */
/** The default `schemes:`: every registered scheme that names its showdown entry (Scheme.showdown), in registry order. */
export function defaultShowdownSchemes(): { name: string; [key: string]: unknown }[] {
  return registeredSchemes().flatMap((s) => (s.showdown ? [{ name: s.name, ...s.showdown }] : []));
}

// One job compares many schemes: `schemes` replaces the single `scheme` key.
const { scheme: _scheme, ...common } = commonJobFields;

export const stragglerShowdownJobSchema = z
  .object({
    job: z.literal('straggler-showdown'),
    data: dataSchema,
    schemes: z.array(schemeSchema).min(1).default(defaultShowdownSchemes),
    step: stepSchema.default('line-search'),
    /** The error ‖x − x*‖/‖x*‖ to time. */
    target: z.number().positive().default(1e-3),
    /** Seconds of iterations per run: the budget for "best error reached". */
    timeBudget: z.number().positive().default(4),
    /** Runs per scheme and condition, each with its own chaos seed (chaos.seed + i). */
    repeats: z.number().int().positive().default(3),
    /** Also run every scheme with the delay's base time for every task and no tail (lambda-tail only). */
    tailFree: z.boolean().default(true),
    /**
     * What every approximate scheme (ignore-stragglers, leverage) gets, so they compare fairly:
     * tasks sent a round (`slots`, default: the workers) and answers decoded from (`answers`,
     * default ⌈0.75·slots⌉). A scheme's own q, fraction or slots overrides them.
     */
    approximate: z
      .object({ slots: z.number().int().positive().optional(), answers: z.number().int().positive().optional() })
      .strict()
      .default({}),
    ...common,
    /** Every run iterates for the whole timeBudget (its best error is a measurement): only maxRounds caps it. */
    stop: roundsStopSchema.default({}),
  })
  .strict();

export type StragglerShowdownJobSpec = z.infer<typeof stragglerShowdownJobSchema>;
