import type { SchemeSpec } from '../shared/config';
import { ClusterError } from '../shared/errors';
import type { Rng } from '../shared/random';
import type { Matrix } from '../shared/tensor';
import { chooseScheme, type Plan, type RuntimeModel, type SchemeChoice } from '../core/schemes';
import { evenBlockStarts, mapPlanToLive } from '../core/schemes/placement';
import type { BlockData, ComputeCluster, PlaceOptions, PlacedPlan } from './compute-cluster';

/**
 * The sequence every job runs to put a scheme on its workers: look the scheme up and parse its
 * parameters, check them against the live workers, plan for that many logical workers, map the
 * plan onto the live indices, and stream the blocks out.
 *
 *   const { placed, plan } = await planAndPlace(cluster, job.scheme, { jobId, A, b, rng: new Rng(seed) });
 */
export interface PlanAndPlaceOptions {
  jobId: string;
  /** The data the blocks are cut from (rows of A, and b carried along). */
  A: Matrix;
  b?: Float64Array;
  /** K data blocks (default: the scheme's choice for the live workers); ignored when blockStarts is given. */
  blocks?: number;
  /** K+1 row offsets of the blocks (default: K even row blocks of A). */
  blockStarts?: number[];
  /** The plan's seeded randomness (mds codes, leverage's block order, shuffled sends). */
  rng: Rng;
  /** Hand A to the plan (data-dependent schemes: leverage scores). */
  planData?: boolean;
  /** The runtime distribution of a slot's answer time (leverage's ending time T). */
  runtime?: RuntimeModel | undefined;
  place?: PlaceOptions;
  /**
   * Plan for this many logical workers, the first of the live ones (a stage of a job that runs on
   * part of its workers: GIANT's 60 of a cluster sized for the exact Hessian). Default: all.
   */
  workers?: number;
}

export interface PlacedScheme {
  choice: SchemeChoice;
  plan: Plan;
  placed: PlacedPlan;
  /** K and the row offsets the plan was made for. */
  blocks: number;
  blockStarts: number[];
}

export async function planAndPlace(cluster: ComputeCluster, scheme: SchemeChoice | SchemeSpec, o: PlanAndPlaceOptions): Promise<PlacedScheme> {
  const choice = chooseScheme(scheme);
  const live = firstWorkers(cluster.liveWorkers(), o.workers, o.jobId);
  if (live.length === 0) throw new ClusterError(`${choice.name}: no live workers to place ${o.jobId} on`);
  const K = o.blockStarts ? o.blockStarts.length - 1 : (o.blocks ?? choice.defaultBlocks(live.length));
  const blockStarts = o.blockStarts ?? evenBlockStarts(o.A.rows, K);
  choice.check({ workers: live.length, blocks: K, rows: o.A.rows });
  const plan = choice.plan({
    workers: live.length,
    blocks: K,
    blockRows: blockStarts.slice(1).map((s, j) => s - blockStarts[j]!),
    rng: o.rng,
    ...(o.planData ? { data: { rows: o.A.rows, cols: o.A.cols, A: o.A.data } } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
  });
  const placed = await placePlan(cluster, o.jobId, plan, { A: o.A, ...(o.b ? { b: o.b } : {}), blockStarts }, o.place, live);
  return { choice, plan, placed, blocks: K, blockStarts };
}

/**
 * Places a plan made for logical workers 0..N-1 (a scheme's, or one a job builds itself: column
 * groups, sketch groups) on the live workers: mapped onto their indices, then its blocks streamed.
 */
export function placePlan(
  cluster: ComputeCluster,
  jobId: string,
  plan: Plan,
  data: BlockData,
  options?: PlaceOptions,
  live: readonly number[] = cluster.liveWorkers(),
): Promise<PlacedPlan> {
  mapPlanToLive(plan, live);
  return cluster.place(jobId, plan, data, options);
}

/** The first `count` of the live workers (all when undefined); fewer live than asked is the cluster's failure. */
export function firstWorkers(live: readonly number[], count: number | undefined, what: string): number[] {
  if (count === undefined) return [...live];
  if (count > live.length) throw new ClusterError(`${what}: planned for ${count} workers but ${live.length} are live`);
  return live.slice(0, count);
}
