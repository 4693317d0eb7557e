import type { ZodType, ZodTypeDef } from 'zod';
import type { Rng } from '../../shared/random';
import type { RuntimeModel } from '../runtime/quantile-model';

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

/**
 * The additive kinds: a slot's result is a weighted sum of per-block results of one shape, so
 * summing slots decodes them. What a plan supports when it does not say.
 */
export const ADDITIVE_TASK_KINDS: readonly TaskKindName[] = ['lsGradient', 'mattvec', 'gram'];

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
  /** Optional runtime distribution of a slot's answer time (the leverage scheme's ending time T). */
  runtime?: RuntimeModel;
}

export interface Plan {
  scheme: string;
  stored: StoredBlockSpec[];
  slots: SlotSpec[];
  /**
   * Backup slots a dispatcher may launch when a slot runs late (speculative execution):
   * backups[s] lists alternative hosts that store slot s's blocks too.
   */
  speculation?: { quantile: number; multiplier: number; backups: number[][] };
  /**
   * Task kinds whose results this plan's decoder combines correctly. Absent: ADDITIVE_TASK_KINDS.
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
  describe(): Record<string, unknown>;
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
 * A scheme: a zod schema for its job-file keys (strict: an unknown key is named), then a plan.
 * P is what the schema parses to; plans and defaults see it typed.
 */
export interface Scheme<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  /** One line for --help and errors. */
  readonly summary: string;
  /** The job file's scheme mapping minus `name`. Messages come from ./params (intAtLeast, numberIn, oneOf). */
  readonly params: ZodType<P, ZodTypeDef, unknown>;
  /** Task kinds every plan of this scheme decodes, when fixed (mds: matvec only). Absent: ADDITIVE_TASK_KINDS. */
  readonly taskKinds?: readonly TaskKindName[];
  /** K the scheme wants for N workers when the job does not say (e.g. N for wait-all). */
  defaultBlocks(workers: number, params: P): number;
  /**
   * Throws InputError when the parameters cannot work on this cluster (r copies on fewer workers,
   * q answers of fewer blocks, s stragglers of s workers): run before any worker starts, so a
   * bad parameter is found in milliseconds, not after placement. plan() may assume it passed.
   */
  check?(params: P, shape: ClusterShape): void;
  /**
   * Whether plan() reads the row leverage scores of A (an O(N·d²) QR): the caller then computes
   * them once, off the event loop, and hands them in PlanContext.data. Absent: never.
   */
  needsRowLeverageScores?(params: P): boolean;
  plan(ctx: PlanContext<P>): Plan;
}

/**
 * A scheme with its parameters parsed: what the registry hands out for a job's `scheme:`. Its
 * parameter type is closed over, so code that only knows the name plans with it safely.
 */
export interface SchemeChoice {
  readonly name: string;
  readonly summary: string;
  readonly taskKinds: readonly TaskKindName[] | undefined;
  /** The parsed parameters (defaults filled in), for result.json. */
  readonly params: Readonly<Record<string, unknown>>;
  defaultBlocks(workers: number): number;
  /** The scheme's check against the cluster (see Scheme.check); a no-op for schemes without one. */
  check(shape: ClusterShape): void;
  /** See Scheme.needsRowLeverageScores. */
  readonly needsRowLeverageScores: boolean;
  plan(ctx: Omit<PlanContext, 'params'>): Plan;
}
