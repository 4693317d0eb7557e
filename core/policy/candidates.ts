import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import { lookupScheme, type Plan } from '../schemes';
import { splitEvenly } from '../schemes/frc';

/**
 * The schemes the chooser weighs, as job files would spell them, and their real plans.
 *
 * A candidate runs on some `workers` of the cluster (all, or all but the blocklisted): the plan
 * is made for that many logical workers and logical host i is physical worker workers[i].
 */
export interface Candidate {
  /** The scheme's registry name. */
  scheme: string;
  /** Its job-file parameters (checked by the scheme's own parse). */
  params: Record<string, unknown>;
  /** K: data blocks. */
  blocks: number;
  /** True when the decoded answer equals wait-all's; false for estimates (an error cost applies). */
  exact: boolean;
  /** Cluster rounds per iteration: 2 for mds (coded Ax, then Aᵀ(Ax − b)), else 1. */
  roundsPerIteration: number;
  /** For logs and reasons: "frc s=1 cover", "replication r=2". */
  label: string;
}

export interface CandidateOptions {
  /** The job accepts approximate gradients (ignore-stragglers, leverage). */
  approximate: boolean;
  /** The job can take its gradient as two coded matrix-vector products (least squares: mds). */
  mds: boolean;
  /** The data is at hand for leverage scores. */
  leverage: boolean;
  /** Speculative quantiles and multipliers tried. Defaults: {0.5, 0.75} × {1.25, 1.5, 2}. */
  speculation?: { quantiles: number[]; multipliers: number[] };
  /** Only these schemes (by registry name); default all that apply. */
  schemes?: readonly string[];
  /**
   * frc decoders weighed. Default both; `cover` alone halves the frc candidates at no loss (it
   * decodes no later than the paper's residue rule and is as exact).
   */
  frcDecoders?: readonly ('residue' | 'cover')[];
}

/** The candidate set for `workers` logical workers. */
export function candidateSet(workers: number, opts: CandidateOptions): Candidate[] {
  const N = workers;
  const out: Candidate[] = [];
  const add = (scheme: string, params: Record<string, unknown>, blocks: number, exact: boolean, label: string, rounds = 1): void => {
    if (opts.schemes && !opts.schemes.includes(scheme)) return;
    if (blocks >= 1) out.push({ scheme, params, blocks, exact, roundsPerIteration: rounds, label });
  };
  add('wait-all', {}, N, true, 'wait-all');
  if (N >= 2) {
    const spec = opts.speculation ?? { quantiles: [0.5, 0.75], multipliers: [1.25, 1.5, 2] };
    for (const quantile of spec.quantiles) {
      for (const multiplier of spec.multipliers) add('speculative', { quantile, multiplier }, N, true, `speculative q=${quantile} ×${multiplier}`);
    }
  }
  for (const r of [2, 3]) if (r <= N) add('replication', { r }, Math.floor(N / r), true, `replication r=${r}`);
  for (let s = 1; s <= Math.min(3, N - 1); s++) {
    for (const decode of opts.frcDecoders ?? (['residue', 'cover'] as const)) {
      add('frc', { stragglers: s, decode }, Math.floor(N / (s + 1)), true, `frc s=${s} ${decode}`);
    }
  }
  if (opts.mds && N >= 3) {
    for (const k of new Set([N - 1, N - Math.max(1, Math.floor(N / 4)), N - 2])) {
      if (k >= 1 && k < N) add('mds', { n: N, k }, k, true, `mds n=${N} k=${k}`, 2);
    }
  }
  if (opts.approximate && N >= 2) {
    const qs = [...new Set([N - 1, N - 2, Math.ceil(0.75 * N), Math.ceil(N / 2)])].filter((q) => q >= 1 && q < N).sort((a, b) => b - a);
    for (const q of qs) add('ignore-stragglers', { q }, N, false, `ignore-stragglers q=${q}`);
    if (opts.leverage) for (const q of qs) add('leverage', { q }, N, false, `leverage q=${q}`);
  }
  return out;
}

/** Stable key of a candidate (label is for people; this is for maps). */
export function candidateKey(c: Candidate): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => `${k}=${String(c.params[k])}`)
    .join(',');
  return `${c.scheme}(${params};K=${c.blocks})`;
}

export interface PlanInputs {
  /** Logical workers the plan spreads over. */
  workers: number;
  /** Rows of the job's data (A's rows). */
  rows: number;
  /** Seed for randomized plans (mds codes, leverage's block order). */
  seed: number;
  /** The data, for leverage scores. */
  data?: { rows: number; cols: number; A: Float64Array };
}

/**
 * Rows of each data block: an even split, or equal blocks (rows padded up) for mds, as the
 * least-squares setup makes them.
 */
export function blockRowsFor(c: Candidate, rows: number): number[] {
  if (c.scheme === 'mds') return new Array<number>(c.blocks).fill(Math.ceil(rows / c.blocks));
  return splitEvenly(rows, c.blocks);
}

/** K+1 row offsets of the candidate's data blocks (what placement and placementDiff take). */
export function blockStartsFor(c: Candidate, rows: number): number[] {
  const starts = [0];
  for (const r of blockRowsFor(c, rows)) starts.push(starts[starts.length - 1]! + r);
  return starts;
}

/** The candidate's real plan, from its scheme's registry entry. */
export function planCandidate(c: Candidate, inputs: PlanInputs): Plan {
  const scheme = lookupScheme(c.scheme).choose({ ...c.params });
  if (c.scheme === 'leverage' && !inputs.data) throw new InputError('adaptive: leverage candidates need the data for leverage scores');
  return scheme.plan({
    workers: inputs.workers,
    blocks: c.blocks,
    blockRows: blockRowsFor(c, inputs.rows),
    rng: new Rng(inputs.seed),
    ...(inputs.data ? { data: inputs.data } : {}),
  });
}

/**
 * Each slot's work in units of one uncoded gradient block at wait-all's K = N (N = the job's
 * workers, not the candidate's), by operations (chaos.delay.work: ops, the default): the rows its
 * blocks touch over rows/N, halved for a plan of matrix-vector products (2rc, where a gradient
 * block is 4rc). Columns are the same for every task of a job (an mds product of Aᵀ touches d/k
 * rows of n columns: N/(2k) like a product of A).
 */
export function slotWork(plan: Plan, blockRows: readonly number[], rows: number, jobWorkers: number): Float64Array {
  const unit = rows / jobWorkers;
  const storedRows = plan.stored.map((s) => blockRows[s.terms[0]!.block]!);
  const products = plan.taskKinds !== undefined && plan.taskKinds.includes('matvec') && !plan.taskKinds.includes('lsGradient');
  const perRow = products ? 0.5 : 1;
  return Float64Array.from(plan.slots, (slot) => (perRow * slot.blocks.reduce((w, b) => w + storedRows[b.stored]!, 0)) / unit);
}
