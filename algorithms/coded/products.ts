import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import type { ComputeCluster, PlaceOptions, PlacedPlan, RoundOutcome } from '../compute-cluster';
import { leastSquaresReference } from '../../core/runtime';
import { firstWorkers, planAndPlace } from '../plan-and-place';
import { blockOfEachSlot, stackedPlan } from './stacked';
import { evenBlockStarts } from '../../core/schemes/placement';
import type { SchemeChoice } from '../../core/schemes';
import { equalBlockStarts } from './padding';

/**
 * The gradient's two matrix-vector products, each coded (Algorithm 1, steps 4 and 8; Fig. 2):
 * X·v over a code of X's row blocks and Xᵀ·u over a code of Xᵀ's row blocks (X's column
 * blocks), each placed once. With a coded scheme (product-code: exact once peeling completes;
 * mds: from any k of its n slots) the stragglers are decoded around; with an uncoded exact one
 * (wait-all, speculative, replication) every block is waited for (or a copy of it). A code's blocks
 * must be equal, so coded X (and Xᵀ) get zero rows up to a multiple of K, the padding's products
 * dropped; uncoded blocks are X's own rows split as evenly as they go (K ± 1 row), since a block
 * of padding alone would be a task that computes nothing and still carries its vector and its
 * delay, and the stacked decoder waits for every block (d = 200 in K = 60 blocks of 4 rows: 10
 * of the 60 blocks were all padding).
 *
 * Cost: two encoded copies of X on the workers, (slots/K) times X's size each.
 */
/** An exact uncoded scheme with one plain block a slot: its products are stacked (stacked.ts). */
export function stacksProducts(s: Pick<SchemeChoice, 'gradient' | 'approximate' | 'stores' | 'multiBlockSlots'>): boolean {
  return s.gradient === 'additive' && s.stores === 'plain' && !s.approximate && !s.multiBlockSlots;
}

export interface CodedProduct {
  value: Float64Array;
  outcome: RoundOutcome;
  /** Work of the answers the decoder used, in units of one n×d matrix-vector product. */
  passes: number;
}

export class CodedProducts {
  private constructor(
    private readonly cluster: ComputeCluster,
    readonly xPlaced: PlacedPlan,
    readonly xtPlaced: PlacedPlan,
    private readonly n: number,
    private readonly d: number,
    /** Rows of X (of Xᵀ) each slot's answer covers, padding included: the work a used answer counts. */
    private readonly xRowsOfSlot: readonly number[],
    private readonly xtRowsOfSlot: readonly number[],
  ) {}

  /**
   * `place`: placement options both products share; its referenceFlops must be the job's (default:
   * the least-squares gradient of one of N row blocks of X, 4·(n/N)·d, N the live workers).
   * `workers`: plan for the first this many live workers (default all).
   */
  static async place(cluster: ComputeCluster, jobId: string, X: Matrix, scheme: SchemeChoice, blocks: number, seed: number, place: PlaceOptions = {}, workers?: number): Promise<CodedProducts> {
    const coded = scheme.gradient === 'coded';
    if (!coded && !stacksProducts(scheme)) {
      throw new InputError(`coded products: matrix-vector products need a coded scheme (product-code, mds) or an exact uncoded one with one plain block a slot (wait-all, speculative, replication), not ${scheme.name}`);
    }
    if (blocks > X.cols) throw new InputError(`coded products: ${blocks} coded blocks but only ${X.cols} columns; use fewer blocks (the job's blocks key or the scheme's k)`);
    // The padded copies on the master's compute thread (seconds at 200000×200), in shared memory.
    const arrays = await cluster.arrays();
    // Uncoded blocks are X's own rows (no padding): only the transpose is copied.
    const [Xp, XTp] = await Promise.all([coded ? arrays.padRows(X, blocks) : X, arrays.paddedTranspose(X, coded ? blocks : 1)]);
    const rng = new Rng(seed);
    // One unit of work for both products (Xᵀ padded is not X padded: the default would differ).
    const options: PlaceOptions = { ...place, referenceFlops: place.referenceFlops ?? leastSquaresReference(X.rows, X.cols, cluster.liveWorkers().length) };
    const live = firstWorkers(cluster.liveWorkers(), workers, `${jobId} products`);
    const placeOf = async (suffix: string, M: Matrix, salt: number): Promise<{ placed: PlacedPlan; rowsOfSlot: number[] }> => {
      if (coded) {
        const blockStarts = equalBlockStarts(M.rows, blocks);
        const { placed } = await planAndPlace(cluster, scheme, { jobId: `${jobId}-${suffix}`, A: M, blockStarts, rng: rng.fork(salt), place: options, workers: live.length });
        return { placed, rowsOfSlot: placed.plan.slots.map(() => M.rows / blocks) };
      }
      // Uncoded: the scheme's own plan (its speculation kept), its decoder stacking the blocks' products.
      scheme.check({ workers: live.length, blocks, rows: M.rows });
      const blockStarts = evenBlockStarts(M.rows, blocks);
      const blockRows = blockStarts.slice(1).map((e, j) => e - blockStarts[j]!);
      const plan = stackedPlan(scheme.plan({ workers: live.length, blocks, blockRows, rng: rng.fork(salt) }), blockRows);
      const placed = await cluster.place(`${jobId}-${suffix}`, plan, { A: M, blockStarts }, { ...options, workers: live });
      return { placed, rowsOfSlot: blockOfEachSlot(plan).map((j) => blockRows[j]!) };
    };
    const [x, xt] = await Promise.all([placeOf('x', Xp, 1), placeOf('xt', XTp, 2)]);
    return new CodedProducts(cluster, x.placed, xt.placed, X.rows, X.cols, x.rowsOfSlot, xt.rowsOfSlot);
  }

  /** X·v (length n). */
  async timesX(v: Float64Array): Promise<CodedProduct> {
    const outcome = await this.cluster.round(this.xPlaced, { kind: 'matvec', x: v });
    return { value: outcome.decoded.value.subarray(0, this.n), outcome, passes: rowsOf(outcome.decoded.used, this.xRowsOfSlot) / this.n };
  }

  /** Xᵀ·u (length d). */
  async timesXT(u: Float64Array): Promise<CodedProduct> {
    const outcome = await this.cluster.round(this.xtPlaced, { kind: 'matvec', x: u });
    return { value: outcome.decoded.value.subarray(0, this.d), outcome, passes: rowsOf(outcome.decoded.used, this.xtRowsOfSlot) / this.d };
  }

  bytesPlaced(): number {
    return this.xPlaced.bytesPlaced + this.xtPlaced.bytesPlaced;
  }

  async release(): Promise<void> {
    await Promise.all([this.cluster.release(this.xPlaced), this.cluster.release(this.xtPlaced)]);
  }
}

/** Rows of data the used slots' answers cover. */
function rowsOf(used: readonly number[], rowsOfSlot: readonly number[]): number {
  let rows = 0;
  for (const s of used) rows += rowsOfSlot[s]!;
  return rows;
}
