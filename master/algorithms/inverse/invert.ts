import { performance } from 'node:perf_hooks';
import { defaultMaxIterations } from '../../../shared/kernels';
import type { Matrix } from '../../../shared/tensor';
import { placePlan } from '../../cluster/plan-and-place';
import type { ComputeCluster, RoundOutcome } from '../../cluster/types';
import { columnPlan } from './column-plan';
import type { InverseSolveOptions } from './in-process';
import { frobeniusNorm } from './in-process';
import { gramOf, rejectIfSingular, solverEvidence, type InverseProblem } from './problem';
import type { ColumnStats } from '../../../shared/kernels';

export interface ClusterInverseResult {
  estimate: Matrix;
  stats: ColumnStats[];
  outcome: RoundOutcome;
  /** Residue class decoded from (the paper's l, 0-based), when one completed. */
  describe: Record<string, unknown>;
  placeSeconds: number;
  solveSeconds: number;
  bytesPlaced: number;
  maxIterations: number;
}

/**
 * The inverse on a cluster: place A on every worker once, one round in which slot w solves its
 * group's columns (solveColumns), decode from the first complete residue class, cancel the rest.
 * Slots are logical workers 0..N-1 mapped onto the live workers in `live` order.
 */
export async function invertOnCluster(
  cluster: ComputeCluster,
  problem: InverseProblem,
  opts: InverseSolveOptions & { jobId: string },
): Promise<ClusterInverseResult> {
  const cp = columnPlan(problem, opts.workers, opts.stragglers, opts.rule);
  const maxIterations = opts.maxIterations ?? defaultMaxIterations(opts.solver, problem.unknowns);
  const t0 = performance.now();
  // Every worker stores all of A; a slot's work is its columns, over one worker's share of them.
  const placed = await placePlan(cluster, opts.jobId, cp.plan, { A: problem.A, blockStarts: [0, problem.A.rows] }, {
    work: (slot) => (cp.columnsOfSlot(slot).length * opts.workers) / problem.unknowns,
  });
  const placeSeconds = (performance.now() - t0) / 1000;
  let outcome: RoundOutcome;
  try {
    outcome = await cluster.round(placed, (slot) => {
      const columns = [...cp.columnsOfSlot(slot)];
      return {
        kind: 'message',
        name: 'solveColumns',
        fields: { solveColumns: { target: problem.kind, columns, solver: opts.solver, tol: opts.tol, maxIterations } },
        payloadValues: columns.length,
      };
    });
  } finally {
    await cluster.release(placed);
  }
  const { estimate, stats } = cp.assemble(outcome.decoded.value);
  const scale = frobeniusNorm(problem.kind === 'pseudoinverse' ? gramOf(problem.A) : problem.A);
  rejectIfSingular(problem, solverEvidence(stats, scale));
  return {
    estimate,
    stats,
    outcome,
    describe: cp.plan.describe(),
    placeSeconds,
    solveSeconds: outcome.seconds,
    bytesPlaced: placed.bytesPlaced,
    maxIterations,
  };
}
