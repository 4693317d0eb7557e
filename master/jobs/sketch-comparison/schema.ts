import { z } from 'zod';
import { commonJobFields, dataSchema, roundsStopSchema } from '../../../shared/config';

/**
 * The leverage paper's Table I: fixed-step SD against iterative sketches (Gaussian, block-SRHT,
 * block leverage through the `leverage` scheme), final log10(‖x* − x̂‖₂/√N) averaged over instances.
 * Instance i uses data seed `data.synthetic.seed + i`. Example: examples/leverage-table1.yaml.
 */
export const sketchComparisonJobSchema = z
  .object({
    job: z.literal('sketch-comparison'),
    data: dataSchema,
    instances: z.number().int().positive().default(6),
    iterations: z.number().int().positive().default(600),
    /** ξ = factor · ξ×, ξ× = 2/σmax(A)², on the paper's gradient 2Aᵀ(Ax − b). */
    stepFactors: z.array(z.number().positive()).min(1).default([0.0004207, 0.004207, 0.04207, 0.4207]),
    methods: z.array(z.enum(['sd', 'gaussian', 'block-srht', 'block-leverage'])).min(1).default(['sd', 'gaussian', 'block-srht', 'block-leverage']),
    /**
     * simulated: the leverage scheme's plan and decoder with exchangeable arrivals drawn from the
     * seeded generator (the paper's model; fast). cluster: its rounds run on the workers.
     */
    arrivals: z.enum(['simulated', 'cluster']).default('simulated'),
    ...commonJobFields,
    stop: roundsStopSchema.default({}),
  })
  .strict();

export type SketchComparisonJobSpec = z.infer<typeof sketchComparisonJobSchema>;
