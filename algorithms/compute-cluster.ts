/**
 * What the algorithms see of the cluster (ComputeCluster, at the end): place a plan's blocks
 * once, then run rounds. The same algorithm runs on local processes, compose and Kubernetes
 * through this interface.
 */
import type { AsyncLinalg } from '../shared/linalg';
import type { Matrix } from '../shared/tensor';
import type { pb } from '../shared/wire';
import type { Decoded, Plan } from '../core/schemes';
import type { BlockData } from '../core/schemes/placement';

export type { BlockData };

/** Task payloads, one per worker task kind (proto TaskRequest.kind). */
export type TaskPayload =
  | { kind: 'noop' }
  /** y = Σ w·Aₛx over the slot's stored blocks (same row count). */
  | { kind: 'matvec'; x: Float64Array }
  /** y = Σ w·Aₛᵀvₛ, v the concatenation of per-stored-block vectors in the slot's block order. */
  | { kind: 'mattvec'; v: Float64Array }
  /** g = Σ w·Aₛᵀ(Aₛx − bₛ); with `points` = p, x stacks p points (p×d) and g their p gradients. */
  | { kind: 'lsGradient'; x: Float64Array; points?: number }
  /** G = Σ w·Aₛᵀdiag(dₛ)Aₛ (d absent: identity), flattened cols×cols. */
  | { kind: 'gram'; d?: Float64Array }
  /**
   * Any other task kind of the contract, given as its generated message: `name` is the oneof
   * field (e.g. 'solveColumns'), `fields` the request with exactly that field set. A new kind
   * needs only its entry in the master's table of task kinds (master/cluster/task-kinds.ts).
   */
  | { kind: 'message'; name: KindName; fields: KindFields };

/** The oneof task kinds of TaskRequest, from the generated types. */
export type KindName = NonNullable<pb.TaskRequest['kind']>;
/** A TaskRequest without the fields the dispatcher fills in (job, round, slot, blocks). */
export type KindFields = Omit<pb.TaskRequest, 'jobId' | 'round' | 'slot' | 'blocks' | 'kind'>;

export interface Arrival {
  slot: number;
  worker: number;
  /** Seconds from the round's start to the answer's arrival at the master. */
  seconds: number;
  computeSeconds: number;
  injectedDelaySeconds: number;
  /** Seconds the task waited on the worker for a core (its round's earlier tasks). */
  queueSeconds: number;
  /** The worker process's event-loop lag during this job so far (p99, max; TaskTimings). */
  loopLagP99Seconds: number;
  loopLagMaxSeconds: number;
}

export interface Straggler {
  slot: number;
  worker: number;
  /** Seconds it had been out when it was cut off (a lower bound on its lateness). */
  outstandingSeconds: number;
}

export interface RoundOutcome {
  round: number;
  decoded: Decoded;
  /** Wall seconds from sending the first task to decoding. */
  seconds: number;
  arrivals: Arrival[];
  stragglers: Straggler[];
  /** Backup tasks launched (speculative execution) and slots moved after a worker loss. */
  backupsLaunched: number;
  slotsMoved: number;
  /** Tensor bytes of this round's task payloads sent (backups and re-sends included) and of the answers received. */
  bytesSent: number;
  bytesReceived: number;
  /**
   * Each slot's work this round as sent to its workers (what their slowdown draws were multiplied
   * by); a column solve's, known only when it ends, is its work per column iteration. Absent:
   * PlacedPlan.work.
   */
  work?: readonly number[];
}

/**
 * The handle of a plan placed by a session: what rounds run on and release drops. Only the session
 * that placed it takes it back; what it reports is read-only (the master keeps the rest).
 */
export interface PlacedPlan {
  readonly jobId: string;
  /** The plan as placed: its hosts and backups are physical worker indices. */
  readonly plan: Plan;
  /** Current host worker of each slot (changes when a worker is lost). */
  readonly hosts: readonly number[];
  /** Bytes streamed to workers for this plan so far. */
  readonly bytesPlaced: number;
  /**
   * Each slot's work by the data it touches (chaos.delay.work: rows): rows × columns of its stored
   * blocks over one uncoded block of wait-all. Under the ops measure (the default) a round's work
   * depends on its task kind: see RoundOutcome.work.
   */
  readonly work: readonly number[];
  /** The id the workers know each stored block by. */
  readonly blockIds: readonly number[];
  /** Stored block (index in plan.stored) -> workers holding it (placement, relocations). */
  readonly holders: ReadonlyMap<number, ReadonlySet<number>>;
}

export interface PlaceOptions {
  /**
   * The physical worker of each logical host: the plan's host i runs on workers[i mod n]
   * (default: the session's live workers, in order).
   */
  workers?: readonly number[];
  /** Seconds before an unanswered task is given up and its slot run elsewhere (default: the master's). */
  taskDeadlineSeconds?: number;
  /**
   * Each slot's work under chaos.delay.work: rows (the data-size measure): relative to one uncoded
   * block of wait-all with K = N. Default: rows × columns of the slot's stored blocks over the
   * data's rows × columns / N; give it when a task's cost is not its blocks' size (columns
   * solved, a batch).
   */
  work?: (slot: number) => number;
  /**
   * Floating-point operations of the job's reference task, one uncoded wait-all gradient block
   * (core/runtime/task-flops.ts: leastSquaresReference, logisticReference, ...): under
   * chaos.delay.work: ops (the default) a task's delay is the slowdown draw × its flops / this.
   * Every plan of a job must give the same. Default: the least-squares gradient of one of N row
   * blocks of the placed data, 4·(rows/N)·cols, N the live workers.
   */
  referenceFlops?: number;
  /**
   * The ids the workers know the stored blocks by (default: their index in plan.stored). A job
   * that re-plans names a block the same in every plan, so a block two plans share is one block
   * on the worker.
   */
  blockIds?: readonly number[];
  /**
   * Stored blocks (index in plan.stored) already on workers from an earlier plan of the same job,
   * under the same id: not streamed again.
   */
  held?: ReadonlyMap<number, ReadonlySet<number>>;
}

/** What a caller may hear of a round before it decodes. */
export interface RoundOptions {
  /**
   * Each slot's answer as it arrives (the first from each slot): a long round's finished parts
   * can be kept before the round ends (the inverse checkpoints the column groups solved).
   */
  onAnswer?: (slot: number, value: Float64Array) => void;
  /** Seconds before an unanswered task is given up (default: the plan's, else the master's): a long task of its own length (AsyncEigenPro's leg). */
  deadlineSeconds?: number;
}

/**
 * Array work an algorithm does once at the master that is too long for its event loop: the
 * values of padding.ts's functions, in shared memory (placing them then copies nothing more).
 */
export interface MasterArrays {
  padRows(M: Matrix, multiple: number): Promise<Matrix>;
  paddedTranspose(M: Matrix, multiple: number): Promise<Matrix>;
}

export interface ComputeCluster {
  /** Workers currently alive. */
  liveWorkers(): number[];
  /**
   * The master's dense linear algebra (factorizations, Grams, references) on its compute thread,
   * so an algorithm's master-side work never holds up the loop that talks to the workers.
   */
  linalg(): Promise<AsyncLinalg>;
  /** An algorithm's long array work at the master (padded copies of X), off that loop too. */
  arrays(): Promise<MasterArrays>;
  /**
   * The one way to place: a plan made for logical workers 0..n−1 (a scheme's, or one a job builds
   * itself: column groups, every center everywhere) is mapped onto physical workers (options.workers,
   * default the live ones) and its stored blocks streamed out. The plan itself is not changed.
   */
  place(jobId: string, plan: Plan, data: BlockData, options?: PlaceOptions): Promise<PlacedPlan>;
  /** Runs one round: every slot's task (payload may depend on the slot), gathered until the decoder has enough. */
  round(placed: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload), options?: RoundOptions): Promise<RoundOutcome>;
  release(placed: PlacedPlan): Promise<void>;
}
