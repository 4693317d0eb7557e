import { performance } from 'node:perf_hooks';
import { defaultMaxIterations } from '../../shared/kernels';
import type { Matrix } from '../../shared/tensor';
import { inverseReference } from '../../core/runtime';
import type { ComputeCluster, RoundOutcome } from '../compute-cluster';
import { assembleGroups, columnPlan, type SolvedGroup } from './column-plan';
import type { InverseSolveOptions } from './in-process';
import { frobeniusNorm } from './in-process';
import { gramOf, rejectIfSingular, solverEvidence, type InverseProblem } from './problem';
import type { ColumnStats } from '../../shared/kernels';

export interface ClusterInverseResult {
  estimate: Matrix;
  stats: ColumnStats[];
  /** The round of column solves (absent when every column was kept from before a master restart). */
  outcome: RoundOutcome | undefined;
  /** Columns the round solved: all of them, or those not kept from before a master restart. */
  columnsSolved: number;
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
  opts: InverseSolveOptions & {
    jobId: string;
    /** Column groups solved before a master restart: their columns are not solved again. */
    kept?: readonly SolvedGroup[];
    /** Each group's answer as soon as one of its workers sends it (a resumable job keeps it). */
    onGroup?: (group: SolvedGroup) => void;
  },
): Promise<ClusterInverseResult> {
  const kept = opts.kept ?? [];
  const done = new Set(kept.flatMap((g) => g.columns));
  const columns = Array.from({ length: problem.unknowns }, (_, c) => c).filter((c) => !done.has(c));
  const maxIterations = opts.maxIterations ?? defaultMaxIterations(opts.solver, problem.unknowns);
  if (columns.length === 0) {
    // Every column was solved before the restart: nothing to send.
    const { estimate, stats } = assembleGroups(problem, kept);
    return { estimate, stats, outcome: undefined, columnsSolved: 0, describe: { scheme: 'frc', stragglers: opts.stragglers, decode: opts.rule ?? 'residue', keptColumns: done.size }, placeSeconds: 0, solveSeconds: 0, bytesPlaced: 0, maxIterations };
  }
  const cp = columnPlan(problem, opts.workers, opts.stragglers, opts.rule, columns);
  const t0 = performance.now();
  // Every worker stores all of A. Its work: by operations (the default), the column iterations it
  // does × one's flops, over one iteration of a worker's share of the columns (the worker counts
  // the iterations); by rows, its columns over one worker's share of them.
  const placed = await cluster.place(opts.jobId, cp.plan, { A: problem.A, blockStarts: [0, problem.A.rows] }, {
    work: (slot) => (cp.columnsOfSlot(slot).length * opts.workers) / problem.unknowns,
    referenceFlops: inverseReference(problem.unknowns, problem.A.cols, opts.workers),
  });
  const heard = new Set<number>();
  const onAnswer = opts.onGroup
    ? (slot: number, value: Float64Array): void => {
        const g = cp.assignment.groupOfWorker[slot]!;
        if (heard.has(g)) return;
        heard.add(g);
        opts.onGroup!({ columns: [...cp.columnsOfSlot(slot)], packed: value });
      }
    : undefined;
  const placeSeconds = (performance.now() - t0) / 1000;
  let outcome: RoundOutcome;
  try {
    outcome = await cluster.round(placed, (slot) => {
      const columns = [...cp.columnsOfSlot(slot)];
      return {
        kind: 'message',
        name: 'solveColumns',
        fields: { solveColumns: { target: problem.kind, columns, solver: opts.solver, tol: opts.tol, maxIterations } },
      };
    }, onAnswer ? { onAnswer } : {});
  } finally {
    await cluster.release(placed);
  }
  const { estimate, stats } = cp.assemble(outcome.decoded.value, kept);
  const scale = frobeniusNorm(problem.kind === 'pseudoinverse' ? await gramOf(await cluster.linalg(), problem.A) : problem.A);
  rejectIfSingular(problem, solverEvidence(stats, scale));
  return {
    estimate,
    stats,
    outcome,
    columnsSolved: columns.length,
    describe: { ...cp.plan.describe(), ...(kept.length > 0 ? { keptColumns: done.size } : {}) },
    placeSeconds,
    solveSeconds: outcome.seconds,
    bytesPlaced: placed.bytesPlaced,
    maxIterations,
  };
}
