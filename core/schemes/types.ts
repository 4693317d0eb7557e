import type { ZodType, ZodTypeDef } from 'zod';
import type { Rng } from '../../shared/random';
import type { AnswerTimeDistribution, MeasuredRound } from '../runtime/answer-times';
import type { ShiftedExponentialParameters } from '../runtime/order-statistics';

/**
 * The scheme interface: a plan (what each worker stores and computes) and a decoder (when a
 * round has heard enough, and how to combine what arrived). Both are pure: no gRPC, no clock.
 * The round dispatcher (master/cluster) drives them; decoders are tested against brute force
 * over every straggler pattern they claim to survive.
 *
 * Vocabulary
 * - data block: rows [start, end) of the job's data (A and b), j = 0..K-1.
 * - stored block: what a worker keeps in memory, a linear combination Σ coef·(data block) of
 *   data blocks with the same row count (a plain block is one term with coef 1; an MDS parity
 *   block has several; a leverage block is one term with coef 1/sqrt(q·Π̃_j)).
 * - slot: one task unit of a round: a weighted sum over stored blocks, run on one host worker.
 *   Decoders index results by slot. When a worker dies, the dispatcher moves its slots to a live
 *   worker (placing the stored blocks there), so a slot is a logical worker of the plan.
 */

/**
 * Task kinds a decoder may be asked to combine (the `kind` of algorithms/compute-cluster.ts's TaskPayload, named
 * here so schemes stay free of cluster imports).
 */
export type TaskKindName = 'matvec' | 'mattvec' | 'lsGradient' | 'gram';

export interface StoredBlockSpec {
  /** Data blocks combined row by row; all must have the same number of rows. */
  terms: { block: number; coef: number }[];
}

export interface SlotSpec {
  /** Initial host worker index (0..N-1). */
  host: number;
  /** Stored blocks this slot computes over, each with its task weight. */
  blocks: { stored: number; weight: number }[];
}

export interface PlanContext<P = unknown> {
  /** N: workers available. */
  workers: number;
  /** K: data blocks (row partition). */
  blocks: number;
  /** Rows of each data block. */
  blockRows: number[];
  /** Seeded generator for randomized schemes. */
  rng: Rng;
  /** The scheme's parameters from the job file, parsed by its `params` schema. */
  params: P;
  /**
   * Optional data access for data-dependent schemes (leverage scores). Rows of A, row-major;
   * `rowLeverageScores`: ℓᵢ of A's rows, computed off the event loop by the caller when the
   * scheme asks for them (needsRowLeverageScores); without them the scheme computes them itself.
   */
  data?: { rows: number; cols: number; A: Float64Array; rowLeverageScores?: Float64Array };
  /** Columns of the data, for decoders whose answers are d×d (OverSketch with one row block). */
  cols?: number;
  /** Optional runtime distribution of a slot's answer time (the leverage scheme's ending time T). */
  runtime?: AnswerTimeDistribution;
}

/** What a plan reports in result.json: each scheme's own facts, typed by the scheme (Plan<D>). */
export type PlanDescription = Record<string, unknown>;

export interface Plan<D extends PlanDescription = PlanDescription> {
  scheme: string;
  stored: StoredBlockSpec[];
  slots: SlotSpec[];
  /**
   * Backup slots a dispatcher may launch when a slot runs late (speculative execution):
   * backups[s] lists alternative hosts that store slot s's blocks too.
   */
  speculation?: { quantile: number; multiplier: number; backups: number[][] };
  /**
   * Task kinds whose results this plan's decoder combines correctly. Absent: the additive kinds
   * (lsGradient, mattvec, gram: a slot's result is a weighted sum of per-block results of one
   * shape, so summing slots decodes them).
   * (An mds plan decodes matvec only: its answer is the stack [A₁x; …; A_kx], not a sum.)
   */
  taskKinds?: readonly TaskKindName[];
  /** Seconds after which a round decodes with what it has, if the decoder allows (else null). */
  roundTimeout?: number;
  /**
   * Send a round's tasks in a fresh seeded random order. Every plan whose decoder takes the first
   * q answers as an approximation (ignore-stragglers, leverage, OverSketch) sets it: such a
   * decoder needs exchangeable arrivals, and sending slots in a fixed order lets the first-sent
   * slots arrive first round after round, which biases the estimate on a real cluster.
   */
  shuffleSends?: boolean;
  /** A fresh decoder for one round. */
  decoder(): RoundDecoder;
  /** Facts about the plan worth writing to result.json (replication, distortion, ...). */
  describe(): D;
  /**
   * What the plan makes of the rounds measured in a run, for result.json (leverage: its ending
   * times T under the measured answer-time distribution). Absent: nothing.
   */
  measure?(rounds: readonly MeasuredRound[]): Record<string, unknown> | undefined;
}

/** The outcome of decoding one round. */
export interface Decoded {
  value: Float64Array;
  /** Slots whose results were used. */
  used: number[];
  /** True when the value equals the wait-all result (up to rounding). */
  exact: boolean;
}

export interface RoundDecoder {
  /** A slot's result arrived. Returns true once the decoder has enough to decode. */
  add(slot: number, value: Float64Array): boolean;
  /** True once enough has arrived. */
  enough(): boolean;
  /** Whether decoding with what has arrived is acceptable at a round timeout. */
  canDecodeEarly(): boolean;
  decode(): Decoded;
  /**
   * A decoder whose answer is a weighted sum of the answers may describe that sum instead of
   * computing it: decode() is then sumTerms(weightedSum()), the same bits, and the caller may
   * run the sum where it likes (the master: off its event loop when it is long).
   */
  weightedSum?(): WeightedSum;
}

/** Σ coef·value over the terms, in their order (floating-point addition is not associative). */
export interface WeightedSum {
  terms: { coef: number; value: Float64Array }[];
  /** Values in the sum (every term's length). */
  length: number;
  used: number[];
  exact: boolean;
}

/** The size of the cluster a scheme is checked against before anything starts. */
export interface ClusterShape {
  /** N: workers the job runs on. */
  workers: number;
  /** K: data blocks. */
  blocks: number;
  /** Rows of the data, when known (a data block needs at least one). */
  rows?: number;
}

/**
 * How a scheme's answers make a gradient, for the algorithms that need one:
 * - additive: a slot's result is a weighted sum of per-block results, and the decoder sums slots,
 *   so one round of Σ w·Aₛᵀ(Aₛx − bₛ) is the gradient (or its estimate);
 * - coded: the decoder stacks matrix-vector products ([A₁x; …; A_kx]), so a gradient is two coded
 *   products, Ax and then Aᵀ(Ax − b) (mds);
 * - none: not a gradient scheme (OverSketch's sketch blocks of a Hessian).
 */
export type GradientForm = 'additive' | 'coded' | 'none';

/**
 * What a slot computes over: the data's own rows ('plain'), rows rescaled by a per-block factor
 * ('rescaled': leverage's 1/√(q·Π̃)), or combinations of blocks ('coded': mds parities). An
 * algorithm that runs a block's own computation (GIANT's local Newton step, one block's Hessian)
 * needs plain blocks.
 */
export type StoredForm = 'plain' | 'rescaled' | 'coded';

/** What an adaptive policy hands a scheme when it asks for its candidates. */
export interface CandidateContext {
  /** N: the logical workers a candidate's plan spreads over. */
  workers: number;
  /** The scheme's own parameter grid, when the policy narrows it (e.g. { decode: ['cover'] }). */
  grid?: Readonly<Record<string, readonly unknown[]>>;
  /**
   * Leave out candidates the scheme knows are never better than another of its own (frc's residue
   * rule decodes no earlier than its cover rule and is no more exact).
   */
  prune?: boolean;
}

/** One candidate as a scheme offers it: job-file parameters, K blocks, and a label for people. */
export interface CandidateSpec {
  params: Record<string, unknown>;
  blocks: number;
  /** True when the decoded answer equals wait-all's; false for estimates (an error cost applies). */
  exact: boolean;
  /** "frc s=1 cover", "replication r=2". */
  label: string;
}

/** The closed-form model a scheme's time per iteration is computed under (see expectedIterationSeconds). */
export interface IterationModel {
  /** N: workers, one slowdown each per round. */
  workers: number;
  /** K: the candidate's data blocks. */
  blocks: number;
  /** The shifted-exponential slowdown S = shift + Exp(rate), seconds per unit of work. */
  fit: ShiftedExponentialParameters;
}

/** What the straggler showdown gives every approximate scheme, so they compare fairly. */
export interface FairShare {
  /** Tasks a round. */
  slots: number;
  /** Answers a round decodes from. */
  answers: number;
  /** The job's own `blocks`, when it set one. */
  jobBlocks?: number | undefined;
}

/**
 * A scheme: a zod schema for its job-file keys (strict: an unknown key is named), a plan and its
 * decoder, and what the rest of Coda asks of it. P is what the schema parses to, D what its
 * plans describe; plans, defaults and capabilities see them typed. Adaptive mitigation, the
 * showdown, least squares and logistic regression ask these; none of them lists schemes by name.
 */
export interface Scheme<P extends Record<string, unknown> = Record<string, unknown>, D extends PlanDescription = PlanDescription> {
  readonly name: string;
  /** One line for --help and errors. */
  readonly summary: string;
  /** The job file's scheme mapping minus `name`. Messages come from ./params (intAtLeast, numberIn, oneOf). */
  readonly params: ZodType<P, ZodTypeDef, unknown>;
  /** Task kinds every plan of this scheme decodes, when fixed (mds: matvec only). Absent: the additive kinds (Plan.taskKinds). */
  readonly taskKinds?: readonly TaskKindName[];
  /** K the scheme wants for N workers when the job does not say (e.g. N for wait-all). */
  defaultBlocks(workers: number, params: P): number;
  /**
   * Throws InputError when the parameters cannot work on this cluster (r copies on fewer workers,
   * q answers of fewer blocks, s stragglers of s workers): run before any worker starts, so a
   * bad parameter is found in milliseconds, not after placement, and again (by the registry)
   * before every plan, so plan() may assume it passed.
   */
  check?(params: P, shape: ClusterShape): void;
  /**
   * Whether plan() reads the row leverage scores of A (an O(N·d²) QR): the caller then computes
   * them once, off the event loop, and hands them in PlanContext.data. Absent: never.
   */
  needsRowLeverageScores?(params: P): boolean;
  plan(ctx: PlanContext<P>): Plan<D>;

  // What the rest of Coda asks of the scheme.

  /** How its answers make a gradient (least squares, logistic regression). */
  readonly gradient: GradientForm;
  /** True when its decoder may answer with an estimate (for some parameters) instead of the exact result. */
  readonly approximate: boolean;
  /** What its slots compute over. */
  readonly stores: StoredForm;
  /** True when a slot may compute over several stored blocks (frc's block groups). */
  readonly multiBlockSlots: boolean;
  /** Its plans need the data (PlanContext.data: leverage scores). */
  readonly needsData?: boolean;
  /** Rows of each of the K data blocks of `rows` rows (default: an even split; mds: equal, padded). */
  blockRows?(rows: number, blocks: number, params: P): number[];
  /** The candidates an adaptive policy may try on N workers (absent: none). */
  candidates?(ctx: CandidateContext): CandidateSpec[];
  /**
   * Exact expected seconds per iteration under the papers' model (one i.i.d. shifted-exponential
   * slowdown per worker and round, a worker's time = slowdown × its work), where a closed form
   * exists; undefined elsewhere. The adaptive predictor's simulator is checked against it.
   */
  expectedIterationSeconds?(params: P, model: IterationModel): number | undefined;
  /**
   * An estimate from the first q answers of `population` exchangeable slots (the error cost model's
   * finite-population variance); undefined for exact decoders.
   */
  sampling?(params: P, blocks: number): { q: number; population: number } | undefined;
  /** Its entry in the straggler showdown's default list (job-file parameters); absent: not shown by default. */
  readonly showdown?: Readonly<Record<string, unknown>>;
  /**
   * Its parameters under the showdown's fair share (the same tasks a round and answers decoded
   * from as every approximate scheme), as job-file keys added to its own, and its blocks; absent
   * or undefined: run as given.
   */
  fairShare?(params: P, share: FairShare): { params: Record<string, unknown>; blocks: number } | undefined;
}

/**
 * A scheme with its parameters parsed: what the registry hands out for a job's `scheme:`. Its
 * parameter type is closed over, so code that only knows the name plans with it safely.
 */
export interface SchemeChoice<D extends PlanDescription = PlanDescription> {
  readonly name: string;
  readonly summary: string;
  readonly taskKinds: readonly TaskKindName[] | undefined;
  readonly gradient: GradientForm;
  readonly approximate: boolean;
  readonly stores: StoredForm;
  readonly multiBlockSlots: boolean;
  readonly needsData: boolean;
  /** The parsed parameters (defaults filled in), for result.json. */
  readonly params: Readonly<Record<string, unknown>>;
  defaultBlocks(workers: number): number;
  /** The scheme's check against the cluster (see Scheme.check); a no-op for schemes without one. */
  check(shape: ClusterShape): void;
  /** See Scheme.needsRowLeverageScores. */
  readonly needsRowLeverageScores: boolean;
  /** The plan, after the check against ctx's workers and blocks. */
  plan(ctx: Omit<PlanContext, 'params'>): Plan<D>;
  /** Rows of each of the K data blocks. */
  blockRows(rows: number, blocks: number): number[];
  /** See Scheme.expectedIterationSeconds (undefined where the scheme has no closed form). */
  expectedIterationSeconds(model: IterationModel): number | undefined;
  /** See Scheme.sampling. */
  sampling(blocks: number): { q: number; population: number } | undefined;
}
