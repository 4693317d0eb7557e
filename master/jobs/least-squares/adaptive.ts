import type { DeclaredDelays } from '../../../shared/chaos';
import { norm2 } from '../../../shared/kernels';
import type { Logger } from '../../../shared/log';
import type { Matrix } from '../../../shared/tensor';
import type { PlacementDecider, PolicyChoice } from '../../../core/policy';
import { AdaptiveRun, type ReplanCluster } from '../../../algorithms/adaptive';
import type { GradientOracle } from '../../../algorithms';
import type { ComputeCluster } from '../../../algorithms/compute-cluster';
import type { MasterMetrics } from '../../metrics';
import { LEAST_SQUARES_POLICY_CODED } from './check';
import type { LsSetup } from './setup';

/**
 * Least squares under an adaptive policy (`scheme: { name: adaptive }`): the gradient oracle runs each iteration's
 * round on the plan in force, and between iterations lets the adaptive run (algorithms/adaptive)
 * learn from it and re-plan. The master knows the exact gradient Gx − c (G = AᵀA, c = Aᵀb), so
 * an approximate plan's error ‖ĝ − g‖²/‖g‖² is measured, not guessed, and the relative gradient
 * norm before each step gives the contraction the error cost model calibrates with. Exact plans
 * decode Σ Aᵢᵀ(Aᵢx − bᵢ) whatever the plan, so a re-plan keeps the iterates wait-all's.
 */
export interface AdaptiveLsOptions {
  jobId: string;
  seed: number;
  taskTimeout?: number;
  /** The job's `scheme:` resolved to a policy (core/policy: chooseSchemeOrPolicy). */
  policy: PolicyChoice;
  normal: { G: Float64Array; c: Float64Array };
  /** The job's stop.tol and maxRounds (what "iterations left" is measured against). */
  tol: number;
  maxRounds: number;
  log: Logger;
  metrics: MasterMetrics;
  labels: { job_kind: string; job_id: string };
  /** Tests script the decisions. */
  decider?: PlacementDecider;
  /** The job's chaos as declared at its start (the policy's prior, how workers run their tasks). */
  declared?: DeclaredDelays;
}

/** A least-squares setup under a policy: its adaptive report is always there. */
export type AdaptiveLsSetup = LsSetup & Required<Pick<LsSetup, 'adaptive'>>;

export async function setUpAdaptiveLeastSquares(cluster: ComputeCluster & ReplanCluster, A: Matrix, b: Float64Array, o: AdaptiveLsOptions): Promise<AdaptiveLsSetup> {
  const run = await AdaptiveRun.start(cluster, {
    jobId: o.jobId,
    A,
    b,
    seed: o.seed,
    policy: o.policy,
    coded: LEAST_SQUARES_POLICY_CODED,
    ...(o.taskTimeout !== undefined ? { taskDeadlineSeconds: o.taskTimeout } : {}),
    log: o.log,
    metrics: o.metrics,
    labels: o.labels,
    ...(o.decider ? { decider: o.decider } : {}),
    ...(o.declared ? { declared: o.declared } : {}),
    // The first iterate's task (x = 0), over the calibration's one row.
    calibrationPayload: { kind: 'lsGradient', x: new Float64Array(A.cols) },
  });
  const { G, c } = o.normal;
  const d = c.length;
  const cNorm = norm2(c) || 1;
  const g = new Float64Array(d);
  let iteration = 0;
  const oracle: GradientOracle = {
    async gradient(x) {
      iteration++;
      const candidate = run.candidate;
      const outcome = await cluster.round(run.placed, { kind: 'lsGradient', x });
      run.observe(outcome);
      // The exact gradient at x, O(d²) at the master.
      for (let i = 0; i < d; i++) {
        let s = -c[i]!;
        for (let j = 0; j < d; j++) s += G[i * d + j]! * x[j]!;
        g[i] = s;
      }
      const gNorm2 = norm2(g) ** 2;
      let relSq: number | undefined;
      if (!candidate.exact && gNorm2 > 0) {
        let e = 0;
        for (let i = 0; i < d; i++) e += (outcome.decoded.value[i]! - g[i]!) ** 2;
        relSq = e / gNorm2;
      }
      const errorBefore = Math.sqrt(gNorm2) / cNorm;
      run.observeGradient(relSq, errorBefore);
      const value = Float64Array.from(outcome.decoded.value);
      await run.step({
        round: outcome.round,
        remainingIterations: run.remainingIterations(o.tol, Math.max(1, o.maxRounds - iteration)),
        probePayload: () => ({ kind: 'lsGradient', x: Float64Array.from(x) }),
      });
      return { g: value, rounds: [outcome] };
    },
  };
  const first = run.placed;
  return {
    scheme: o.policy.name,
    oracle,
    describe: { ...o.policy.params, start: run.report().final },
    blocks: first.plan.stored.length,
    slots: first.plan.slots.length,
    roundsPerIteration: 1,
    bytesPlaced: () => run.bytesPlaced,
    release: async () => {
      await run.finish();
      await cluster.release(run.placed);
    },
    adaptive: () => run.report(),
  };
}
