import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { describeExpansion, expansionNetwork, type ExpansionRule, type ReplicaRule } from './expansion-network';
import { approximateBlockLeverageScores, blockLeverageScores } from './leverage-scores';
import { intAtLeast, numberIn, oneOf } from './params';
import { measuredAnswerTimes, type MeasuredRound } from '../runtime/answer-times';
import { candidateAnswers } from './ignore-stragglers';
import { firstQDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

export const leverageParams = z
  .object({
    /** Answers summed a round (default: a fifth of the blocks). */
    q: intAtLeast(1).optional(),
    /** m: slots the replicas fill (default: twice the blocks, a multiple of N). */
    slots: intAtLeast(1).optional(),
    /** exact block leverage scores (QR), or approximate (a sketch of A first). */
    scores: oneOf(['exact', 'approximate']).default('exact'),
    /** Rows of the sketch behind approximate scores. */
    sketchRows: intAtLeast(1).optional(),
    /** Seconds after which a round decodes with what arrived. */
    timeout: numberIn(0, Infinity).optional(),
    /** paper (eq. 18-19) or apportion (least distortion on m slots). */
    replicas: oneOf(['paper', 'apportion']).default('paper'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.sketchRows !== undefined && p.scores !== 'approximate') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sketchRows'], message: 'applies only to scores: approximate' });
    }
  });
export type LeverageParams = z.infer<typeof leverageParams>;

export type LeverageDescription = {
  blocks: number;
  slots: number;
  q: number;
  scores: LeverageParams['scores'];
  sketchedRows: number;
  replicaRule: ReplicaRule;
  distortion: number;
  beta: number;
  phi: number;
  endingTimeSeconds?: number;
  runtimeModel?: string;
  replicas: number[];
  /** Both rules on the same scores and slots: r̂, r̃, φ, T, distortion and β. */
  expansion: Record<ReplicaRule, ReturnType<typeof describeExpansion>>;
  leverageScores: number[];
  blockOfSlot: number[];
};

/** The paper's Table I samples r = N/5 rows (q = 20 of K = 100 blocks): a fifth by default. */
function defaultQ(K: number): number {
  return Math.max(1, Math.round(K / 5));
}

/** Twice the blocks, rounded up to a multiple of N so every worker hosts as many slots. */
function defaultSlots(K: number, N: number): number {
  return Math.ceil(Math.max(N, 2 * K) / N) * N;
}

/**
 * Block leverage score gradient coding (Charalambides, Pilanci and Hero): block i is stored
 * rescaled by 1/√(q·Π̃_i) on r_i slots, with r_i from its block leverage score by the expansion
 * network (`replicas: paper`, eq. 18-19, the default; or `apportion`, the least distortion on m
 * slots; see expansion-network.ts); the gradient is the plain sum of the first q answers. When
 * arrivals are exchangeable (homogeneous workers, sends shuffled), the first q answers are a
 * uniform q-subset of the m slots, each is block i with probability Π̃_i = r_i/m and contributes
 * g_i/(q·Π̃_i): an unbiased estimate of the gradient,
 * a fresh block-leverage sketch every round (iterative sketching). Decodes lsGradient and gram
 * (quadratic in the rescaling), not matvec.
 *
 * Slots are laid out block by block in a seeded random block order, slot s on worker s mod N, so a
 * block's replicas sit on distinct workers (when r_i ≤ N) and no block is always first in a
 * worker's queue.
 */
export const leverage: Scheme<LeverageParams, LeverageDescription> = {
  name: 'leverage',
  summary: 'blocks replicated by block leverage score and rescaled; sum of the first q answers (unbiased sketch)',
  params: leverageParams,
  taskKinds: ['lsGradient', 'gram'],
  gradient: 'additive',
  approximate: true,
  stores: 'rescaled',
  multiBlockSlots: false,
  needsData: true,
  showdown: {},
  defaultBlocks: (workers) => workers,
  check(p, { workers, blocks: K }) {
    const q = p.q ?? defaultQ(K);
    const m = p.slots ?? defaultSlots(K, workers);
    // Every block may have a positive score: it needs a replica (zero blocks are found only with the data).
    if (m < K) throw new InputError(`scheme leverage: ${m} slots cannot give each of the ${K} blocks a replica; use at least ${K}`);
    if (q > m) throw new InputError(`scheme leverage: q = ${q} must be between 1 and the ${m} slots`);
  },
  needsRowLeverageScores: (p) => p.scores === 'exact',
  plan(ctx: PlanContext<LeverageParams>): Plan<LeverageDescription> {
    const K = ctx.blocks;
    const N = ctx.workers;
    const p = ctx.params;
    if (!ctx.data) throw new InputError('scheme leverage: needs the data matrix to compute leverage scores');
    const q = p.q ?? defaultQ(K);
    const m = p.slots ?? defaultSlots(K, N);
    const blockStarts = [0];
    for (const r of ctx.blockRows) blockStarts.push(blockStarts[blockStarts.length - 1]! + r);
    const scores = p.scores;
    const Pi =
      scores === 'exact'
        ? blockLeverageScores(ctx.data, blockStarts)
        : approximateBlockLeverageScores(ctx.data, blockStarts, ctx.rng.fork(1), p.sketchRows ? { sketchRows: p.sketchRows } : {});
    const rule = p.replicas;
    const net = expansionNetwork(Pi, m, q, rule, ctx.runtime);

    // Only blocks with a replica are stored (a zero block has score 0 and a zero gradient).
    const storedOf = new Int32Array(K).fill(-1);
    const stored: Plan['stored'] = [];
    for (let i = 0; i < K; i++) {
      if (net.replicas[i]! === 0) continue;
      storedOf[i] = stored.length;
      stored.push({ terms: [{ block: i, coef: 1 / Math.sqrt(q * net.induced[i]!) }] });
    }
    const slots: Plan['slots'] = [];
    for (const i of ctx.rng.permutation(K)) {
      for (let c = 0; c < net.replicas[i]!; c++) slots.push({ host: slots.length % N, blocks: [{ stored: storedOf[i]!, weight: 1 }] });
    }
    const blockOfSlot = slots.map((s) => stored[s.blocks[0]!.stored]!.terms[0]!.block);

    return {
      scheme: 'leverage',
      shuffleSends: true,
      stored,
      slots,
      taskKinds: ['lsGradient', 'gram'],
      ...(p.timeout !== undefined ? { roundTimeout: p.timeout } : {}),
      // The first q answers; fewer at a timeout, scaled by q/count, which keeps the estimate
      // unbiased given how many arrived.
      decoder: () => firstQDecoder(q, q, false),
      describe: () => ({
        blocks: K,
        slots: m,
        q,
        scores,
        sketchedRows: q * (ctx.blockRows[0] ?? 0),
        replicaRule: rule,
        distortion: net.distortion,
        beta: net.beta,
        phi: net.phi,
        ...(net.endingTime !== undefined ? { endingTimeSeconds: net.endingTime } : {}),
        ...(ctx.runtime ? { runtimeModel: ctx.runtime.source } : {}),
        replicas: Array.from(net.replicas),
        // Both rules on the same scores and slots: r̂, r̃, φ, T, distortion and β.
        expansion: { paper: describeExpansion(net.rules.paper), apportion: describeExpansion(net.rules.apportion) },
        leverageScores: Array.from(Pi),
        blockOfSlot,
      }),
      measure: (rounds) => measuredEndingTimes(net.rules, rounds),
    };
  },
  candidates: ({ workers: N }) => (N >= 2 ? candidateAnswers(N).map((q) => ({ params: { q }, blocks: N, exact: false, label: `leverage q=${q}` })) : []),
  /** The first q of m slots (m's default for K = N workers: 2K). */
  sampling: (p, blocks) => ({ q: p.q ?? defaultQ(blocks), population: p.slots ?? 2 * blocks }),
  /** slots/2 blocks over the fair share's slots (it needs more slots than blocks to replicate by score), the first `answers` decoded. */
  fairShare(p, share) {
    const slots = p.slots ?? share.slots;
    return { params: { slots, q: p.q ?? share.answers }, blocks: share.jobBlocks ?? Math.max(1, Math.floor(slots / 2)) };
  },
};

/**
 * The ending time T = F̂⁻¹(1 − φ) of both replica rules with F̂ measured in the run (the answer
 * times of its rounds), beside the T the plan computed from the job's delay distribution. Null
 * where the rounds stopped before a share 1 − φ of the slots had answered.
 */
export function measuredEndingTimes(rules: Readonly<Record<ReplicaRule, Pick<ExpansionRule, 'phi'>>>, rounds: readonly MeasuredRound[]): Record<string, unknown> | undefined {
  if (rounds.length === 0) return undefined;
  const model = measuredAnswerTimes(rounds);
  const T = (phi: number): number | null => {
    const t = model.quantile(1 - phi);
    return Number.isFinite(t) ? t : null;
  };
  return { source: model.source, ...Object.fromEntries(Object.entries(rules).map(([rule, e]) => [rule, T(e.phi)])) };
}
