import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { roundGradient, type GradientOracle } from '../../algorithms';
import { CodedProducts } from '../../algorithms/coded';
import type { ComputeCluster } from '../../cluster/types';
import { evenBlockStarts, mapPlanToLive } from '../../cluster/placement';
import { lookupScheme, type RuntimeModel } from '../../schemes';
import type { SchemeSpec } from '../../../shared/config';

/** A least-squares problem placed on the cluster under one scheme, ready to iterate. */
export interface LsSetup {
  scheme: string;
  oracle: GradientOracle;
  /** Scheme parameters and what the plan reports (replication, distortion, code sizes, ...). */
  describe: Record<string, unknown>;
  blocks: number;
  /** Tasks a round sends (the plan's slots) and rounds an iteration takes (mds: Ax, then Aᵀr). */
  slots: number;
  roundsPerIteration: number;
  bytesPlaced(): number;
  release(): Promise<void>;
}

/**
 * Plans and places ½‖Ax − b‖²'s gradient under `spec`. Schemes whose decoders add partial
 * gradients get one round of Σ w·Aₛᵀ(Aₛx − bₛ) per iteration; a scheme that decodes stacked
 * matrix-vector products (mds) gets two coded products per iteration, Ax and then Aᵀ(Ax − b).
 */
export async function setUpLeastSquares(
  cluster: ComputeCluster,
  A: Matrix,
  b: Float64Array,
  spec: SchemeSpec,
  opts: { jobId: string; seed: number; blocks?: number; taskTimeout?: number; runtime?: RuntimeModel | undefined },
): Promise<LsSetup> {
  const scheme = lookupScheme(spec.name);
  const { name: _name, ...raw } = spec;
  const params = scheme.parse(raw);
  const live = cluster.liveWorkers();
  const workers = live.length;
  if (workers === 0) throw new InputError('least squares: no live workers');
  const K = opts.blocks ?? scheme.defaultBlocks(workers, params);
  const blockStarts = evenBlockStarts(A.rows, K);
  const blockRows = blockStarts.slice(1).map((s, j) => s - blockStarts[j]!);
  const placeOpts = opts.taskTimeout !== undefined ? { taskDeadlineSeconds: opts.taskTimeout } : {};

  if (!scheme.taskKinds || scheme.taskKinds.includes('lsGradient')) {
    const plan = scheme.plan({
      workers,
      blocks: K,
      blockRows,
      rng: new Rng(opts.seed),
      params,
      data: { rows: A.rows, cols: A.cols, A: A.data },
      ...(opts.runtime ? { runtime: opts.runtime } : {}),
    });
    mapPlanToLive(plan, live);
    const placed = await cluster.place(opts.jobId, plan, { A, b, blockStarts }, placeOpts);
    return {
      scheme: plan.scheme,
      oracle: roundGradient(cluster, placed),
      describe: { ...params, ...plan.describe() },
      blocks: K,
      slots: plan.slots.length,
      roundsPerIteration: 1,
      bytesPlaced: () => placed.bytesPlaced,
      release: () => cluster.release(placed),
    };
  }
  if (!scheme.taskKinds.includes('matvec')) {
    throw new InputError(`least squares: scheme ${scheme.name} decodes neither gradients nor matrix-vector products`);
  }
  // Equal blocks: mds pads A (and Aᵀ) with zero rows to a multiple of k.
  const coded = await CodedProducts.place(cluster, opts.jobId, A, scheme, params, K, live, opts.seed);
  const r = new Float64Array(A.rows);
  return {
    scheme: scheme.name,
    oracle: {
      async gradient(x) {
        const ax = await coded.timesX(x);
        for (let i = 0; i < r.length; i++) r[i] = ax.value[i]! - b[i]!;
        const g = await coded.timesXT(r);
        return { g: Float64Array.from(g.value), rounds: [ax.outcome, g.outcome] };
      },
    },
    describe: { ...params, ...coded.xPlaced.plan.describe(), productsPerIteration: 2 },
    blocks: K,
    slots: coded.xPlaced.plan.slots.length,
    roundsPerIteration: 2,
    bytesPlaced: () => coded.bytesPlaced(),
    release: () => coded.release(),
  };
}
