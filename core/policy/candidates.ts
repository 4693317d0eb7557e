import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import { lookupScheme, registeredSchemes, type Plan, type SchemeChoice } from '../schemes';

/**
 * The schemes the chooser weighs, as job files would spell them, and their real plans. Each
 * registered scheme offers its own candidates (Scheme.candidates); this only filters them by what
 * the job takes (estimates, a coded gradient, data for the plans) and orders them: exact ones first,
 * each group in the registry's order.
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
  /** Cluster rounds per iteration: 2 for a coded gradient (Ax, then Aᵀ(Ax − b)), else 1. */
  roundsPerIteration: number;
  /** For logs and reasons: "frc s=1 cover", "replication r=2". */
  label: string;
}

export interface CandidateOptions {
  /** The job accepts approximate gradients (candidates that are not exact). */
  approximate: boolean;
  /** The job can take its gradient as two coded matrix-vector products (least squares can). */
  coded: boolean;
  /** The data is at hand for the plans that need it (leverage scores). */
  data: boolean;
  /** Only these schemes (by registry name); default all that apply. */
  schemes?: readonly string[];
  /** A scheme's own parameter grid, narrowed: { speculative: { quantile: [0.75] } }. */
  grids?: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
  /** Leave out candidates a scheme knows never beat another of its own (frc: residue beside cover). */
  prune?: boolean;
}

/** The candidate set for `workers` logical workers. */
export function candidateSet(workers: number, opts: CandidateOptions): Candidate[] {
  const out: Candidate[] = [];
  for (const s of registeredSchemes()) {
    if (opts.schemes && !opts.schemes.includes(s.name)) continue;
    if (s.gradient === 'none' || (s.gradient === 'coded' && !opts.coded) || (s.needsData && !opts.data)) continue;
    const grid = opts.grids?.[s.name];
    for (const c of s.candidates({ workers, ...(grid ? { grid } : {}), ...(opts.prune ? { prune: true } : {}) })) {
      if (c.blocks < 1 || (!c.exact && !opts.approximate)) continue;
      out.push({ scheme: s.name, params: c.params, blocks: c.blocks, exact: c.exact, roundsPerIteration: s.gradient === 'coded' ? 2 : 1, label: c.label });
    }
  }
  // Exact candidates first (the first is the chooser's starting plan), each group in registry order.
  return [...out.filter((c) => c.exact), ...out.filter((c) => !c.exact)];
}

/** Stable key of a candidate (label is for people; this is for maps). */
export function candidateKey(c: Candidate): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => `${k}=${String(c.params[k])}`)
    .join(',');
  return `${c.scheme}(${params};K=${c.blocks})`;
}

const choices = new WeakMap<Candidate, SchemeChoice>();

/** The candidate's scheme with its parameters parsed (once per candidate). */
export function candidateScheme(c: Candidate): SchemeChoice {
  let choice = choices.get(c);
  if (!choice) choices.set(c, (choice = lookupScheme(c.scheme).choose({ ...c.params })));
  return choice;
}

export interface PlanInputs {
  /** Logical workers the plan spreads over. */
  workers: number;
  /** Rows of the job's data (A's rows). */
  rows: number;
  /** Seed for randomized plans (mds codes, leverage's block order). */
  seed: number;
  /** The data, for the plans that need it (leverage scores). */
  data?: { rows: number; cols: number; A: Float64Array };
}

/** Rows of each data block, as the scheme splits them (an even split; mds: equal blocks, rows padded up). */
export function blockRowsFor(c: Candidate, rows: number): number[] {
  return candidateScheme(c).blockRows(rows, c.blocks);
}

/** K+1 row offsets of the candidate's data blocks (what placement and placementDiff take). */
export function blockStartsFor(c: Candidate, rows: number): number[] {
  const starts = [0];
  for (const r of blockRowsFor(c, rows)) starts.push(starts[starts.length - 1]! + r);
  return starts;
}

/** The candidate's real plan, from its scheme's registry entry. */
export function planCandidate(c: Candidate, inputs: PlanInputs): Plan {
  const scheme = candidateScheme(c);
  if (scheme.needsData && !inputs.data) throw new InputError(`adaptive: ${c.scheme} candidates need the data to plan`);
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
