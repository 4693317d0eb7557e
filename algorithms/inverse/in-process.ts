import { defaultMaxIterations, solveInverseColumns, type ColumnSolverName } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import type { FrcRule } from '../../core/schemes/frc';
import { columnPlan } from './column-plan';
import { gramOf, rejectIfSingular, solverEvidence, type InverseProblem } from './problem';

export interface InverseSolveOptions {
  workers: number;
  stragglers: number;
  solver: ColumnSolverName;
  tol: number;
  maxIterations?: number;
  rule?: FrcRule;
}

/**
 * The whole frc pipeline without a network: each column group solved once in this process (B = AᵀA
 * of a pseudoinverse on `la`), the
 * workers' answers fed to the decoder in `arrivalOrder` (workers not in it straggle). For tests
 * and for checking the cluster's output; the cluster driver is in ./invert.ts.
 */
export async function invertInProcess(
  la: AsyncLinalg,
  problem: InverseProblem,
  opts: InverseSolveOptions,
  arrivalOrder?: readonly number[],
): Promise<{ estimate: Matrix; stats: ReturnType<ReturnType<typeof columnPlan>['assemble']>['stats']; used: number[] }> {
  const cp = columnPlan(problem, opts.workers, opts.stragglers, opts.rule);
  const maxIterations = opts.maxIterations ?? defaultMaxIterations(opts.solver, problem.unknowns);
  const B = problem.kind === 'pseudoinverse' ? await gramOf(la, problem.A) : undefined;
  const byGroup = new Map<number, Float64Array>();
  const answer = (slot: number): Float64Array => {
    const g = cp.assignment.groupOfWorker[slot]!;
    let v = byGroup.get(g);
    if (!v) {
      v = solveInverseColumns(problem.A, problem.kind, cp.columnsOfSlot(slot), opts.solver, { tol: opts.tol, maxIterations }, B);
      byGroup.set(g, v);
    }
    return v;
  };
  const decoder = cp.plan.decoder();
  for (const w of arrivalOrder ?? Array.from({ length: opts.workers }, (_, i) => i)) {
    if (decoder.add(w, answer(w))) break;
  }
  if (!decoder.enough()) throw new Error('inverse: the arrivals hold no complete residue class');
  const decoded = decoder.decode();
  const { estimate, stats } = cp.assemble(decoded.value);
  rejectIfSingular(problem, solverEvidence(stats, frobeniusNorm(B ?? problem.A)));
  return { estimate, stats, used: decoded.used };
}

export function frobeniusNorm(M: Matrix): number {
  let s = 0;
  for (let i = 0; i < M.data.length; i++) s += M.data[i]! ** 2;
  return Math.sqrt(s);
}
