import type { SchemeSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { chooseScheme, formatParamsError, knownKeys, reserveSchemeName, type SchemeChoice } from '../schemes';
import { adaptive } from './adaptive-policy';
import type { AdaptivePolicy, PolicyChoice } from './policy-types';

export type { AdaptivePolicy, PolicyChoice, PolicyCheck, PolicyHooks, PolicyJob } from './policy-types';

/**
 * The adaptive-policy registry. A policy is not a plan but a way of choosing among the registered
 * schemes while a job runs (`scheme: { name: adaptive }`): it has its own job-file keys, says how
 * often it decides, and makes the decider a job's adaptive run consults. A job kind that drives
 * policies (least squares) resolves its `scheme:` with chooseSchemeOrPolicy; every other kind looks
 * up schemes only, and a policy's name there is refused with the policy's own message.
 *
 *   const resolved = chooseSchemeOrPolicy(job.scheme);   // { scheme } or { policy }
 *   if (resolved.policy) AdaptiveRun.start(session, { policy: resolved.policy, ... });
 */
/** A registered policy: how to parse a job's parameters for it. */
export interface RegisteredPolicy {
  readonly name: string;
  readonly summary: string;
  choose(raw: Record<string, unknown>): PolicyChoice;
}

const registry = new Map<string, RegisteredPolicy>();

export function registerPolicy<P extends Record<string, unknown>>(p: AdaptivePolicy<P>): void {
  if (registry.has(p.name)) throw new Error(`adaptive policy '${p.name}' is registered twice`);
  // A job's `scheme:` names schemes and policies alike: a policy's name is no scheme's.
  reserveSchemeName(p.name, () => p.refusal());
  registry.set(p.name, {
    name: p.name,
    summary: p.summary,
    choose(raw) {
      const r = p.params.safeParse(raw);
      if (!r.success) throw new InputError(formatParamsError(p.name, r.error, raw, knownKeys(p.params)));
      const params = r.data;
      p.validate?.(params);
      const { period, budget } = p.cadence(params);
      return { name: p.name, summary: p.summary, params, period, budget, check: (job) => p.check?.(params, job), decider: (job, hooks) => p.decider(params, job, hooks) };
    },
  });
}

export function isPolicy(name: string): boolean {
  return registry.has(name);
}

export function policyNames(): string[] {
  return [...registry.keys()];
}

/** A job's `scheme:` that names a policy, parsed. */
export function choosePolicy(spec: SchemeSpec): PolicyChoice {
  const p = registry.get(spec.name);
  if (!p) throw new InputError(`unknown adaptive policy '${spec.name}' (known: ${policyNames().join(', ')})`);
  const { name: _name, ...raw } = spec;
  return p.choose(raw);
}

/** A job's `scheme:` resolved once: a scheme with its parameters, or an adaptive policy with its own. */
export type SchemeOrPolicy = { scheme: SchemeChoice; policy?: undefined } | { policy: PolicyChoice; scheme?: undefined };

/** What a job kind that drives adaptive policies resolves its `scheme:` to. */
export function chooseSchemeOrPolicy(spec: SchemeSpec): SchemeOrPolicy {
  return isPolicy(spec.name) ? { policy: choosePolicy(spec) } : { scheme: chooseScheme(spec) };
}

/** The policies every process knows. */
registerPolicy(adaptive);
