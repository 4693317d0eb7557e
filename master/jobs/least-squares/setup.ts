import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { roundGradient, type GradientOracle } from '../../../algorithms';
import { CodedProducts } from '../../../algorithms/coded';
import type { ComputeCluster } from '../../../algorithms/compute-cluster';
import { planAndPlace } from '../../../algorithms/plan-and-place';
import type { AnswerTimeDistribution, MeasuredRound, SchemeChoice } from '../../../core/schemes';
import type { AdaptiveReport } from '../../../core/policy';

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
  /** What the plan makes of the rounds measured in the run (Plan.measure: leverage's ending times). */
  measure?(rounds: readonly MeasuredRound[]): Record<string, unknown> | undefined;
  /** Under an adaptive policy: every decision, the re-plans, the runtime model, the error cost. */
  adaptive?(): AdaptiveReport & { params: Readonly<Record<string, unknown>> };
}

/**
 * Plans and places ½‖Ax − b‖²'s gradient under `scheme` (the job's, parsed once). As the scheme
 * declares its gradient (Scheme.gradient): additive schemes get one round of Σ w·Aₛᵀ(Aₛx − bₛ) per
 * iteration; a coded one (mds) gets two coded products per iteration, Ax and then Aᵀ(Ax − b).
 */
export async function setUpLeastSquares(
  cluster: ComputeCluster,
  A: Matrix,
  b: Float64Array,
  scheme: SchemeChoice,
  opts: { jobId: string; seed: number; blocks?: number; taskTimeout?: number; runtime?: AnswerTimeDistribution | undefined },
): Promise<LsSetup> {
  const place = opts.taskTimeout !== undefined ? { taskDeadlineSeconds: opts.taskTimeout } : {};

  if (scheme.gradient === 'additive') {
    const { plan, placed, blocks } = await planAndPlace(cluster, scheme, {
      jobId: opts.jobId,
      A,
      b,
      ...(opts.blocks !== undefined ? { blocks: opts.blocks } : {}),
      rng: new Rng(opts.seed),
      runtime: opts.runtime,
      place,
    });
    return {
      scheme: plan.scheme,
      oracle: roundGradient(cluster, placed),
      describe: { ...scheme.params, ...plan.describe() },
      blocks,
      slots: plan.slots.length,
      roundsPerIteration: 1,
      bytesPlaced: () => placed.bytesPlaced,
      release: () => cluster.release(placed),
      ...(plan.measure ? { measure: (rounds: readonly MeasuredRound[]) => plan.measure?.(rounds) } : {}),
    };
  }
  if (scheme.gradient !== 'coded') {
    throw new InputError(`least squares: scheme ${scheme.name} decodes neither gradients nor matrix-vector products`);
  }
  // Equal blocks: mds pads A (and Aᵀ) with zero rows to a multiple of k.
  const K = opts.blocks ?? scheme.defaultBlocks(cluster.liveWorkers().length);
  const coded = await CodedProducts.place(cluster, opts.jobId, A, scheme, K, opts.seed, place);
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
    describe: { ...scheme.params, ...coded.xPlaced.plan.describe(), productsPerIteration: 2 },
    blocks: K,
    slots: coded.xPlaced.plan.slots.length,
    roundsPerIteration: 2,
    bytesPlaced: () => coded.bytesPlaced(),
    release: () => coded.release(),
  };
}
