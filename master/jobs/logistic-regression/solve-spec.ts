import type { LogisticSolveSpec } from '../../../algorithms/logistic';
import type { LogisticRegressionJobSpec } from './schema';

/** The solver's layout keys from the job file (what logisticLayout and solveLogistic take). */
export function solveSpecOf(job: LogisticRegressionJobSpec): Omit<LogisticSolveSpec, 'lambda' | 'seed'> {
  return {
    solver: job.solver,
    ...(job.scheme ? { scheme: job.scheme } : {}),
    ...(job.blocks ? { blocks: job.blocks } : {}),
    ...(job.gradientWorkers ? { gradientWorkers: job.gradientWorkers } : {}),
    sketch: job.sketch,
    hessianScheme: job.hessian.scheme,
    ...(job.hessian.blocks ? { hessianBlocks: job.hessian.blocks } : {}),
    ...(job.hessian.workers ? { hessianWorkers: job.hessian.workers } : {}),
    newtonStep: job.newton.step,
  };
}
