import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { intAtLeast, numberIn, registeredSchemes } from '../schemes';
import { candidateSet } from './candidates';
import { AdaptiveChooser } from './chooser';
import type { AdaptivePolicy } from './policy-types';

/**
 * `scheme: { name: adaptive, ... }`: not a plan but a policy over the registry's schemes. The job
 * starts under what its declared delays favour (its chaos, which the master knows, as the runtime
 * model's prior: the first decision is made before the first round), or under wait-all without
 * one; it learns the cluster's runtime distribution from every round (core/runtime), and weighs
 * the candidates every scheme offers (Scheme.candidates; with `approximate: true` the estimates
 * too), each planned by its own scheme module and simulated over its real decoder (predictor.ts),
 * when a decision may pay for itself (controller.ts); it re-plans when another is clearly faster,
 * moving only the blocks that must move, and leaves persistently slow workers out (probing them
 * to let them back). A job kind that drives it says so (least squares); every other kind refuses
 * it by name.
 *
 *   scheme: { name: adaptive, approximate: false, period: 5, margin: 0.1, prior: true, calibrate: true }
 */
export const ADAPTIVE = 'adaptive';

/** The schemes whose candidates the policy can weigh (`schemes:` names some of them). */
function candidateSchemes(): string[] {
  return registeredSchemes()
    .filter((s) => s.offersCandidates)
    .map((s) => s.name);
}

const schemeName = z.string().superRefine((name, ctx) => {
  const known = candidateSchemes();
  if (!known.includes(name)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of ${known.join(', ')}` });
});

export const adaptiveParams = z
  .object({
    /** The job accepts approximate gradients (schemes that decode estimates), weighed by their error cost. */
    approximate: z.boolean().default(false),
    /** Rounds between decisions, at least (the CPU budget may space them further). */
    period: intAtLeast(1).default(5),
    /** Share of the job's wall time the decisions may take (a decision simulates every candidate). */
    budget: numberIn(0, 1).default(0.03),
    /** A switch must be predicted faster by this fraction (and by two standard errors). */
    margin: numberIn(0, 1, true).default(0.1),
    /** Rounds between two switches unless the runtime model saw a change. */
    dwell: intAtLeast(0).default(10),
    /** Rounds measured before the first decision. */
    warmup: intAtLeast(1).default(5),
    /** Leave persistently slow workers out (probing them) when that is predicted faster. */
    exclude: z.boolean().default(true),
    /** A worker at slowFactor × the median for 10 rounds is persistently slow. */
    slowFactor: numberIn(1, Infinity).default(3),
    /** Rounds between probes of a left-out worker (doubling after each slow probe, up to 8×). */
    probeEvery: intAtLeast(1).default(10),
    /** Simulated iterations per candidate and decision, at most (the race stops sooner when the ranking is clear). */
    simulate: intAtLeast(50).default(200),
    /**
     * Start from the job's declared delays (its chaos, known to the master) as the runtime model's
     * prior: the first decision is made before the first round. false: learn from the rounds alone
     * (what a cluster whose stragglers are not injected offers).
     */
    prior: z.boolean().default(true),
    /**
     * Before the decision from the prior, time a round of one-row tasks on every worker: the
     * answers' overheads (the network, the event loops) the declared delays say nothing of, which
     * decide between a plan that waits for many answers and one that waits for few. false: decide
     * from the declared delays alone.
     */
    calibrate: z.boolean().default(true),
    /** Rounds of measurements the prior stands for (its weight against the measured rounds). */
    priorRounds: intAtLeast(1).default(20),
    /** Narrow the candidates to these schemes (default: all that apply). */
    schemes: z.array(schemeName).min(1).optional(),
  })
  .strict();
export type AdaptiveParams = z.infer<typeof adaptiveParams>;

export const adaptive: AdaptivePolicy<AdaptiveParams> = {
  name: ADAPTIVE,
  summary: 'chooses among the schemes while the job runs, from the runtime distribution it learns',
  params: adaptiveParams,
  validate(p) {
    const approximateOnly = p.schemes?.every((name) => registeredSchemes().find((s) => s.name === name)?.approximate);
    if (p.schemes && !p.approximate && approximateOnly) {
      throw new InputError(`scheme adaptive: schemes ${p.schemes.join(', ')} are approximate; set approximate: true or name an exact scheme`);
    }
  },
  refusal: () =>
    new InputError(
      'scheme adaptive chooses among the schemes while the job runs, and only job kinds that drive it take it: ' +
        'least-squares (logistic regression does not yet)',
    ),
  cadence: (p) => ({ period: p.period, budget: p.budget }),
  check(p, job) {
    const set = candidateSet(job.workers, { approximate: p.approximate, coded: job.coded, data: job.data, ...(p.schemes ? { schemes: p.schemes } : {}), prune: true });
    if (set.length === 0) throw new InputError(`scheme adaptive: no candidate of ${(p.schemes ?? candidateSchemes()).join(', ')} runs this job on ${job.workers} workers`);
  },
  decider: (p, job, hooks) =>
    new AdaptiveChooser(
      { workers: job.workers, rows: job.rows, seed: job.seed, approximate: p.approximate, coded: job.coded, ...(job.data ? { data: job.data } : {}), ...(job.declared ? { declared: job.declared } : {}) },
      {
        priorRounds: p.prior ? p.priorRounds : 0,
        margin: p.margin,
        minDwellRounds: p.dwell,
        warmupRounds: p.warmup,
        replanSeconds: (from, to) => hooks.replanSeconds(from, to),
        predictor: { rounds: p.simulate, ...(hooks.execution ? { execution: hooks.execution } : {}) },
        // Candidates a scheme knows never win against another of its own are left out (frc's
        // cover rule decodes no later than the residue rule and is as exact: weighed alone).
        prune: true,
        blocklist: {
          // recentRatios are medians over the last 10 rounds: one reading is already 10 rounds of evidence.
          ratioRounds: 10,
          slowFactor: p.slowFactor,
          recoverFactor: Math.min(1.5, (1 + p.slowFactor) / 2),
          probeEvery: p.probeEvery,
          maxProbeEvery: 8 * p.probeEvery,
          ...(p.exclude ? {} : { maxFlagged: 0 }),
        },
        ...(p.schemes ? { schemes: p.schemes } : {}),
      },
    ),
};
