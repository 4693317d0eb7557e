/**
 * The scheme registry: job files name a scheme, this maps the name to its module. A scheme is one
 * module of this folder that declares everything the rest of Coda asks of it (types.ts: plan,
 * decoder, how its gradient combines, its adaptive candidates, its closed-form time, its fair
 * share in the showdown); adding one is a new file here and a line at the end of this file. Adaptive
 * mitigation, the showdown, least squares and logistic regression iterate the registry.
 *
 *   const scheme = chooseScheme({ name: 'frc', stragglers: 1 });   // parsed; InputError names a bad key
 *   scheme.check({ workers: 8, blocks: 4 });                        // against the cluster, before anything starts
 *   const plan = scheme.plan({ workers: 8, blocks: 4, blockRows, rng });
 *   const d = plan.decoder(); d.add(slot, value) ... d.decode();
 */
import { InputError } from '../../shared/errors';
import type { SchemeSpec } from '../../shared/config';
import { frc } from './frc';
import { ignoreStragglers } from './ignore-stragglers';
import { leverage } from './leverage';
import { mds } from './mds';
import { oversketch } from './oversketch';
import { parseParams } from './params';
import { productCode } from './product-code';
import { splitEvenly } from './frc-assignment';
import { replication } from './replication';
import { speculative } from './speculative';
import type { CandidateContext, CandidateSpec, FairShare, GradientForm, PlanDescription, Scheme, SchemeChoice, StoredForm, TaskKindName } from './types';
import { waitAll } from './wait-all';

export type {
  Scheme,
  SchemeChoice,
  ClusterShape,
  Plan,
  PlanContext,
  PlanDescription,
  RoundDecoder,
  Decoded,
  WeightedSum,
  SlotSpec,
  StoredBlockSpec,
  TaskKindName,
  GradientForm,
  StoredForm,
  CandidateContext,
  CandidateSpec,
  IterationModel,
  FairShare,
} from './types';
export { parseParams, intAtLeast, numberIn, oneOf, gridValues, formatParamsError, knownKeys } from './params';
export { SumDecoder, firstQDecoder, sumTerms } from './sum-decoder';
export { delayAnswerTimes, measuredAnswerTimes, type MeasuredRound, type AnswerTimeDistribution } from '../runtime/answer-times';
export { waitAll, ignoreStragglers, speculative, replication, frc, mds, productCode, leverage, oversketch };
export { oversketchPlan, oversketchSlots, sketchRowBlocks, SketchBlocksDecoder, type OversketchShape, type OversketchSlots } from './oversketch';

/** A registered scheme: what it declares, and how to parse a job's parameters for it. */
export interface RegisteredScheme {
  readonly name: string;
  readonly summary: string;
  readonly taskKinds: readonly TaskKindName[] | undefined;
  readonly gradient: GradientForm;
  readonly approximate: boolean;
  readonly stores: StoredForm;
  readonly multiBlockSlots: boolean;
  readonly needsData: boolean;
  /** It offers candidates to adaptive policies. */
  readonly offersCandidates: boolean;
  /** Its entry in the showdown's default list (job-file parameters), if it has one. */
  readonly showdown: Readonly<Record<string, unknown>> | undefined;
  /** Parses the job file's parameters (the scheme mapping minus `name`); InputError names a bad key. */
  choose(params: unknown): SchemeChoice;
  /** The candidates an adaptive policy may try (none when the scheme offers none). */
  candidates(ctx: CandidateContext): CandidateSpec[];
  /** The parameters (job-file keys, `raw` plus the share's) and blocks the showdown's fair share gives it; undefined: as given. */
  fairShare(raw: Record<string, unknown>, share: FairShare): { params: Record<string, unknown>; blocks: number } | undefined;
}

/** Closes a scheme over its parsed parameters. The check runs before every plan. */
/** What a scheme declares about itself, as both its registry entry and a bound choice carry it. */
function capabilities<P extends Record<string, unknown>, D extends PlanDescription>(s: Scheme<P, D>) {
  return {
    name: s.name,
    summary: s.summary,
    taskKinds: s.taskKinds,
    gradient: s.gradient,
    approximate: s.approximate,
    stores: s.stores,
    multiBlockSlots: s.multiBlockSlots,
    needsData: s.needsData ?? false,
  };
}

export function bindScheme<P extends Record<string, unknown>, D extends PlanDescription>(s: Scheme<P, D>, params: P): SchemeChoice<D> {
  return {
    ...capabilities(s),
    params,
    defaultBlocks: (workers) => s.defaultBlocks(workers, params),
    check: (shape) => s.check?.(params, shape),
    needsRowLeverageScores: s.needsRowLeverageScores?.(params) ?? false,
    plan: (ctx) => {
      s.check?.(params, { workers: ctx.workers, blocks: ctx.blocks, rows: ctx.blockRows.reduce((a, r) => a + r, 0) });
      return s.plan({ ...ctx, params });
    },
    blockRows: (rows, blocks) => s.blockRows?.(rows, blocks, params) ?? splitEvenly(rows, blocks),
    expectedIterationSeconds: (model) => s.expectedIterationSeconds?.(params, model),
    sampling: (blocks) => s.sampling?.(params, blocks),
  };
}

/** A scheme's choice with its own description type (a caller that knows which scheme it runs). */
export function chooseAs<P extends Record<string, unknown>, D extends PlanDescription>(s: Scheme<P, D>, raw: unknown): SchemeChoice<D> {
  return bindScheme(s, parseParams(s, raw));
}

const registry = new Map<string, RegisteredScheme>();
/** Names that are not schemes but mean something in a job's `scheme:` (an adaptive policy), with what to say. */
const reserved = new Map<string, () => InputError>();

export function registerScheme<P extends Record<string, unknown>, D extends PlanDescription>(s: Scheme<P, D>): void {
  if (registry.has(s.name) || reserved.has(s.name)) throw new Error(`scheme '${s.name}' is registered twice`);
  registry.set(s.name, {
    ...capabilities(s),
    offersCandidates: s.candidates !== undefined,
    showdown: s.showdown,
    choose: (raw) => chooseAs(s, raw),
    candidates: (ctx) => s.candidates?.(ctx) ?? [],
    fairShare: (raw, share) => {
      const out = s.fairShare?.(parseParams(s, raw), share);
      return out && { params: { ...raw, ...out.params }, blocks: out.blocks };
    },
  });
}

/**
 * A name a job's `scheme:` may hold that is not a scheme (an adaptive policy, registered by
 * core/policy): looking it up as a scheme throws `refusal()`, which says where it is taken.
 */
export function reserveSchemeName(name: string, refusal: () => InputError): void {
  if (registry.has(name) || reserved.has(name)) throw new Error(`scheme name '${name}' is registered twice`);
  reserved.set(name, refusal);
}

export function lookupScheme(name: string): RegisteredScheme {
  const refusal = reserved.get(name);
  if (refusal) throw refusal();
  const s = registry.get(name);
  if (!s) throw new InputError(`unknown scheme '${name}' (known: ${[...schemeNames(), ...reserved.keys()].join(', ')})`);
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

/** Every registered scheme, in registration order (what the showdown's default list and the adaptive candidates follow). */
export function registeredSchemes(): RegisteredScheme[] {
  return [...registry.values()];
}

// The schemes every process knows, in the order tables list them (the showdown's, the candidates').
registerScheme(waitAll);
registerScheme(ignoreStragglers);
registerScheme(speculative);
registerScheme(replication);
registerScheme(frc);
registerScheme(mds);
registerScheme(productCode);
registerScheme(leverage);
registerScheme(oversketch);
