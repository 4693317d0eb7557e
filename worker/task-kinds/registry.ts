import type { Kernels } from '../../shared/kernels';
import type { pb } from '../../shared/wire';
import type { BlockStore, StoredBlock } from '../block-store';
import type { PeerClients } from '../peers';
import type { SliceStore } from '../slice-store';

/** What a task kind handler gets: the task's weighted blocks, resolved, and the request. */
export interface TaskContext {
  request: pb.TaskRequest__Output;
  blocks: { block: StoredBlock; weight: number; id: number }[];
  /** The kernel backend this worker computes with (native OpenBLAS or the plain loops). */
  kernels: Kernels;
  /** Aborted when the master cancels the task (a straggler cut off): long kinds stop early. */
  signal?: AbortSignal;
  /** This worker's master (its parameter store: the centralized baseline); absent without one. */
  master?: MasterAccess;
  /** The sharded parameter store: the slices this worker owns and clients of its peers. */
  params?: ParamAccess;
  /** Draws the next injected delay (seconds) for kinds that loop over many iterations in one task. */
  nextDelay?: () => number;
  /** Sleeps an injected delay, the time slept right on average (chaos-injector.ts); false: aborted. */
  sleep?: (seconds: number) => Promise<boolean>;
  /**
   * Allocates n float64 values within the task's budget (worker/task-budget.ts), refusing before
   * it allocates: `result` when the values are the answer (they must fit in a message).
   */
  allocate(n: number, what: string, result?: boolean): Float64Array;
}

/** A client of the master's service and the cluster token to call it with. */
export interface MasterAccess {
  client: pb.MasterClient;
  token: string | undefined;
}

/** The sharded parameter store as a task sees it: the own slices, and the other owners. */
export interface ParamAccess {
  slices: SliceStore;
  peers: PeerClients;
}

/** The result of a kind: the payload tensor (shape + values). */
export interface KindResult {
  shape: number[];
  values: Float64Array;
  /** Iterations the task did, for a task whose work is known only when it ends (a column solve's column iterations). */
  iterations?: number;
}

/**
 * A kind's computation. Long kinds return a promise and yield now and then, so the worker keeps
 * heartbeating and notices cancellation.
 */
export type KindHandler = (ctx: TaskContext) => KindResult | Promise<KindResult>;

export type TaskKindName = NonNullable<pb.TaskRequest__Output['kind']>;

const handlers = new Map<string, KindHandler>();

/** Registers the handler of a proto task kind (TaskRequest.kind). Refuses duplicates. */
export function registerKind(kind: TaskKindName, handler: KindHandler): void {
  if (handlers.has(kind)) throw new Error(`task kind '${kind}' registered twice`);
  handlers.set(kind, handler);
}

export function kindHandler(kind: string): KindHandler | undefined {
  return handlers.get(kind);
}

export function resolveBlocks(store: BlockStore, request: pb.TaskRequest__Output): TaskContext['blocks'] {
  return request.blocks.map((b) => ({ block: store.get(request.jobId, b.blockId), weight: b.weight, id: b.blockId }));
}
