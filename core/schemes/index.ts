/**
 * The scheme registry: job files name a scheme, this maps the name to its module.
 * Adding a scheme touches this folder and nothing else.
 *
 *   const scheme = chooseScheme({ name: 'frc', stragglers: 1 });   // parsed; InputError names a bad key
 *   scheme.check({ workers: 8, blocks: 4 });                        // against the cluster, before anything starts
 *   const plan = scheme.plan({ workers: 8, blocks: 4, blockRows, rng });
 *   const d = plan.decoder(); d.add(slot, value) ... d.decode();
 */
import { InputError } from '../../shared/errors';
import { frc } from './frc';
import { ignoreStragglers } from './ignore-stragglers';
import { leverage } from './leverage';
import { mds } from './mds';
import { productCode } from './product-code';
import { replication } from './replication';
import { speculative } from './speculative';
import type { SchemeSpec } from '../../shared/config';
import { ADAPTIVE, adaptiveRefused } from './adaptive';
import { parseParams } from './params';
import type { Scheme, SchemeChoice, TaskKindName } from './types';
import { waitAll } from './wait-all';

export type { Scheme, SchemeChoice, ClusterShape, Plan, PlanContext, RoundDecoder, Decoded, SlotSpec, StoredBlockSpec, TaskKindName } from './types';
export { parseParams, intAtLeast, numberIn, oneOf } from './params';
export { ADDITIVE_TASK_KINDS } from './types';
export { SumDecoder, firstQDecoder } from './sum-decoder';
export { delayRuntimeModel, measuredRuntimeModel, type MeasuredRound, type RuntimeModel } from '../runtime/quantile-model';
export { measuredEndingTimes } from './leverage';
export { ADAPTIVE, ADAPTIVE_CANDIDATES, adaptiveParams, isAdaptive, parseAdaptive, adaptiveRefused, type AdaptiveParams } from './adaptive';

/** A registered scheme: its name and summary, and how to parse a job's parameters for it. */
export interface RegisteredScheme {
  readonly name: string;
  readonly summary: string;
  readonly taskKinds: readonly TaskKindName[] | undefined;
  /** Parses the job file's parameters (the scheme mapping minus `name`); InputError names a bad key. */
  choose(params: unknown): SchemeChoice;
}

/** Closes a scheme over its parsed parameters. */
function bind<P extends Record<string, unknown>>(s: Scheme<P>, params: P): SchemeChoice {
  return {
    name: s.name,
    summary: s.summary,
    taskKinds: s.taskKinds,
    params,
    defaultBlocks: (workers) => s.defaultBlocks(workers, params),
    check: (shape) => s.check?.(params, shape),
    plan: (ctx) => s.plan({ ...ctx, params }),
  };
}

const registry = new Map<string, RegisteredScheme>();

export function registerScheme<P extends Record<string, unknown>>(s: Scheme<P>): void {
  if (registry.has(s.name)) throw new Error(`scheme '${s.name}' is registered twice`);
  registry.set(s.name, { name: s.name, summary: s.summary, taskKinds: s.taskKinds, choose: (raw) => bind(s, parseParams(s, raw)) });
}

export function lookupScheme(name: string): RegisteredScheme {
  const s = registry.get(name);
  if (name === ADAPTIVE) throw adaptiveRefused();
  if (!s) throw new InputError(`unknown scheme '${name}' (known: ${[...schemeNames(), ADAPTIVE].join(', ')})`);
  return s;
}

function isChoice(spec: SchemeSpec | SchemeChoice): spec is SchemeChoice {
  return typeof spec.plan === 'function';
}

/** A job's `scheme:` (name and parameters), looked up and parsed; a choice already made passes through. */
export function chooseScheme(spec: SchemeSpec | SchemeChoice | string): SchemeChoice {
  if (typeof spec === 'string') return lookupScheme(spec).choose({});
  if (isChoice(spec)) return spec;
  const { name, ...params } = spec;
  return lookupScheme(name).choose(params);
}

export function schemeNames(): string[] {
  return [...registry.keys()];
}

registerScheme(waitAll);
registerScheme(ignoreStragglers);
registerScheme(frc);
registerScheme(replication);
registerScheme(speculative);
registerScheme(mds);
registerScheme(productCode);
registerScheme(leverage);
