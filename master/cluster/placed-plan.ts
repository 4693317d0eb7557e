import { Rng } from '../../shared/random';
import type { Plan } from '../../core/schemes';
import type { PlacedPlan } from '../../algorithms/compute-cluster';
import type { OutgoingBlock } from '../../core/schemes/placement';

/**
 * A placed plan as the master tracks it: the slots' hosts (adopted from each round's state when
 * a slot moved), which worker holds which stored block, and each slot's work (what the injected
 * delay is multiplied by).
 */
export class Placed implements PlacedPlan {
  hosts: number[];
  /** The stored blocks as streamed (their `id` is the one the workers know them by). */
  readonly blocks: OutgoingBlock[];
  taskDeadlineSeconds: number | undefined;
  bytesPlaced = 0;
  /** Hash of the job id: seeds the send order of plans that shuffle it. */
  readonly seed: number;
  /** stored block id -> workers holding it */
  readonly holders = new Map<number, Set<number>>();
  /** Stored block ids of each slot. */
  readonly slotBlocks: number[][];
  /**
   * The id each stored block has on the workers (its index in plan.stored unless the job names
   * blocks across plans, as a re-planning job does so shared blocks stay where they are).
   */
  readonly blockIds: readonly number[];
  constructor(
    readonly jobId: string,
    readonly plan: Plan,
    blocks: OutgoingBlock[],
    /** Work of each slot relative to one uncoded block of wait-all with K = N (the rows measure). */
    readonly work: readonly number[],
    blockIds?: readonly number[],
    /** Flops of the job's reference task (one uncoded wait-all gradient block): the ops measure's unit. */
    readonly referenceFlops = 1,
  ) {
    if (blockIds && blockIds.length !== blocks.length) throw new RangeError(`placed plan: ${blockIds.length} block ids for ${blocks.length} stored blocks`);
    this.blockIds = blockIds ?? blocks.map((_, i) => i);
    this.blocks = blockIds ? blocks.map((b, i) => ({ ...b, id: blockIds[i]! })) : blocks;
    this.hosts = plan.slots.map((s) => s.host);
    this.slotBlocks = plan.slots.map((s) => s.blocks.map((b) => b.stored));
    let h = 2166136261;
    for (let i = 0; i < jobId.length; i++) h = Math.imul(h ^ jobId.charCodeAt(i), 16777619) >>> 0;
    this.seed = h;
  }

  /**
   * The send order's generator for one round, a function of the job id and the round number only:
   * a run repeats its orders, and a job resumed after a master restart (same id, rounds counted
   * on from its checkpoint) sends in the order the uninterrupted run would have.
   */
  roundRng(round: number): Rng {
    return new Rng((this.seed ^ Math.imul(round, 0x9e3779b9)) >>> 0);
  }
}

/**
 * Each slot's work: rows × columns of the stored blocks it computes over, relative to one block
 * of wait-all with K = N (the data's rows × columns over N, N the job's workers). replication(2)
 * gives a worker a block twice as large: work 2; an mds coded block of n/k rows: work N/k.
 */
export function slotWork(plan: Plan, blocks: readonly OutgoingBlock[], dataEntries: number, workers: number): number[] {
  const unit = dataEntries / Math.max(1, workers);
  return plan.slots.map((s) => {
    if (s.blocks.length === 0 || unit === 0) return 1;
    return s.blocks.reduce((sum, b) => sum + blocks[b.stored]!.rows * blocks[b.stored]!.cols, 0) / unit;
  });
}
