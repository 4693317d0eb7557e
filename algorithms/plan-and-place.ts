import { ClusterError } from '../shared/errors';
import type { Rng } from '../shared/random';
import type { Matrix } from '../shared/tensor';
import type { AnswerTimeDistribution, Plan, SchemeChoice } from '../core/schemes';
import { evenBlockStarts } from '../core/schemes/placement';
import type { ComputeCluster, PlaceOptions, PlacedPlan } from './compute-cluster';
import { planDataFor } from './row-leverage-scores';

/**
 * A parsed scheme put on a job's workers: its plan for as many logical workers as are live (the
 * scheme's check runs before it plans), then the cluster's one way to place it (ComputeCluster.place
 * maps the logical plan onto the live workers and streams the blocks).
 *
 *   const { placed, plan } = await planAndPlace(cluster, scheme, { jobId, A, b, rng: new Rng(seed) });
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
  /** The runtime distribution of a slot's answer time (leverage's ending time T). */
  runtime?: AnswerTimeDistribution | undefined;
  place?: PlaceOptions;
  /**
   * Plan for this many logical workers, the first of the live ones (a stage of a job that runs on
   * part of its workers: GIANT's 60 of a cluster sized for the exact Hessian). Default: all.
   */
  workers?: number;
}

export interface PlacedScheme {
  /** The plan as made, for logical workers 0..N−1. */
  plan: Plan;
  placed: PlacedPlan;
  /** K and the row offsets the plan was made for. */
  blocks: number;
  blockStarts: number[];
}

export async function planAndPlace(cluster: ComputeCluster, scheme: SchemeChoice, o: PlanAndPlaceOptions): Promise<PlacedScheme> {
  // Only the plans that need the data read it (leverage scores, computed on the master's
  // linear-algebra thread before the live workers are read: they may take a while on a large A).
  const data = scheme.needsData ? await planDataFor(await cluster.linalg(), scheme, o.A) : undefined;
  const live = firstWorkers(cluster.liveWorkers(), o.workers, o.jobId);
  if (live.length === 0) throw new ClusterError(`${scheme.name}: no live workers to place ${o.jobId} on`);
  const K = o.blockStarts ? o.blockStarts.length - 1 : (o.blocks ?? scheme.defaultBlocks(live.length));
  const blockStarts = o.blockStarts ?? evenBlockStarts(o.A.rows, K);
  const plan = scheme.plan({
    workers: live.length,
    blocks: K,
    blockRows: blockStarts.slice(1).map((s, j) => s - blockStarts[j]!),
    rng: o.rng,
    cols: o.A.cols,
    ...(data ? { data } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
  });
  const placed = await cluster.place(o.jobId, plan, { A: o.A, ...(o.b ? { b: o.b } : {}), blockStarts }, { ...o.place, workers: live });
  return { plan, placed, blocks: K, blockStarts };
}

/** The first `count` of the live workers (all when undefined); fewer live than asked is the cluster's failure. */
export function firstWorkers(live: readonly number[], count: number | undefined, what: string): number[] {
  if (count === undefined) return [...live];
  if (count > live.length) throw new ClusterError(`${what}: planned for ${count} workers but ${live.length} are live`);
  return live.slice(0, count);
}
