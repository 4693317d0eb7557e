/**
 * The scheme registry: job files name a scheme, this maps the name to its module.
 * Adding a scheme touches this folder and nothing else.
 *
 *   const scheme = lookupScheme('wait-all');
 *   const plan = scheme.plan({ workers: 8, blocks: 8, blockRows, rng, params: scheme.parse({}) });
 *   const d = plan.decoder(); d.add(slot, value) ... d.decode();
 */
import { InputError } from '../../shared/errors';
import { frc } from './frc';
import { ignoreStragglers } from './ignore-stragglers';
import { leverage } from './leverage';
import { mds } from './mds';
import { replication } from './replication';
import { speculative } from './speculative';
import type { Scheme } from './types';
import { waitAll } from './wait-all';

export type { Scheme, Plan, PlanContext, RoundDecoder, Decoded, SlotSpec, StoredBlockSpec, TaskKindName } from './types';
export { ADDITIVE_TASK_KINDS } from './types';
export { SumDecoder, firstQDecoder } from './sum-decoder';
export { delayRuntimeModel, measuredRuntimeModel, type MeasuredRound, type RuntimeModel } from './runtime-model';
export { measuredEndingTimes } from './leverage';

const registry = new Map<string, Scheme>();

export function registerScheme(s: Scheme): void {
  if (registry.has(s.name)) throw new Error(`scheme '${s.name}' is registered twice`);
  registry.set(s.name, s);
}

export function lookupScheme(name: string): Scheme {
  const s = registry.get(name);
  if (!s) throw new InputError(`unknown scheme '${name}' (known: ${schemeNames().join(', ')})`);
  return s;
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
registerScheme(leverage);
