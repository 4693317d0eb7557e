import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { formatParamsError, intAtLeast, knownKeys, numberIn, oneOf } from './params';

/**
 * `scheme: { name: adaptive, ... }`: not a plan but a policy over the registry's schemes. The job
 * starts under wait-all, learns the cluster's runtime distribution from every round
 * (core/runtime), and every few rounds weighs the candidates (wait-all, speculative, replication,
 * frc, and with `approximate: true` ignore-stragglers and leverage), each planned by its own
 * scheme module and simulated over its real decoder (core/policy); it re-plans when another
 * is clearly faster, moving only the blocks that must move, and leaves persistently slow workers
 * out (probing them to let them back). A job kind that drives it says so (least squares); every
 * other kind refuses it by name.
 *
 *   scheme: { name: adaptive, approximate: false, period: 5, margin: 0.1 }
 */
export const ADAPTIVE = 'adaptive';

/** Scheme names the adaptive chooser can switch between (`schemes:` narrows them). */
export const ADAPTIVE_CANDIDATES = ['wait-all', 'speculative', 'replication', 'frc', 'ignore-stragglers', 'leverage'] as const;

export const adaptiveParams = z
  .object({
    /** The job accepts approximate gradients (ignore-stragglers, leverage), weighed by their error cost. */
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
    /** Simulated iterations per candidate and decision. */
    simulate: intAtLeast(50).default(200),
    /** Narrow the candidates to these schemes (default: all that apply). */
    schemes: z.array(oneOf(ADAPTIVE_CANDIDATES)).min(1).optional(),
  })
  .strict();
export type AdaptiveParams = z.infer<typeof adaptiveParams>;

/** True for a job's `scheme:` that names the adaptive policy. */
export function isAdaptive(spec: { name: string }): boolean {
  return spec.name === ADAPTIVE;
}

/** Parses `scheme: { name: adaptive, ... }`'s parameters; an unknown key or a bad value is named. */
export function parseAdaptive(spec: { name: string } & Record<string, unknown>): AdaptiveParams {
  const { name: _name, ...raw } = spec;
  const r = adaptiveParams.safeParse(raw);
  if (!r.success) throw new InputError(formatParamsError(ADAPTIVE, r.error, raw, knownKeys(adaptiveParams)));
  if (r.data.schemes && !r.data.approximate && r.data.schemes.every((s) => s === 'ignore-stragglers' || s === 'leverage')) {
    throw new InputError(`scheme adaptive: schemes ${r.data.schemes.join(', ')} are approximate; set approximate: true or name an exact scheme`);
  }
  return r.data;
}

/** What a kind that does not drive the adaptive policy says. */
export function adaptiveRefused(): InputError {
  return new InputError(
    'scheme adaptive chooses among the schemes while the job runs, and only job kinds that drive it take it: ' +
      'least-squares (logistic regression does not yet)',
  );
}
