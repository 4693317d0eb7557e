import { InputError, ShapeError } from '../../../shared/errors';
import { checkKernel } from '../../../shared/kernels';
import { DIRECT_LIMIT } from '../../../algorithms/eigenpro';
import type { CheckContext, Footprint, Shape } from '../check-types';
import type { KernelRegressionJobSpec } from './schema';

function checkTargets(key: string, y: Shape | undefined, rows: number | undefined): void {
  if (!y) return;
  if (y.cols !== 1 && y.rows !== 1) throw new ShapeError(`${key}: expected a vector of targets, got a ${y.rows}×${y.cols} matrix`);
  const len = y.cols === 1 ? y.rows : y.cols;
  if (rows !== undefined && len !== rows) throw new ShapeError(`${key}: ${len} values for ${rows} points`);
}

/** The kernel, the data's shapes and split, and enough training points for every worker's slice. */
export function checkKernelRegression(job: KernelRegressionJobSpec, ctx: CheckContext): Footprint {
  checkKernel(job.kernel);
  const d = job.data;
  const X: Shape | undefined = d.synthetic ? { rows: d.synthetic.rows, cols: d.synthetic.cols } : ctx.shape(d.X!);
  if (!d.synthetic) checkTargets('data.y', ctx.shape(d.y!), X?.rows);
  if (d.Xtest && d.ytest) {
    const Xt = ctx.shape(d.Xtest);
    if (Xt && X && Xt.cols !== X.cols) throw new ShapeError(`data: Xtest has ${Xt.cols} columns, X has ${X.cols}`);
    checkTargets('data.ytest', ctx.shape(d.ytest), Xt?.rows);
  }
  if (!X) return { master: 0, workers: 0, what: 'X' };
  const nTrain = d.Xtest ? X.rows : X.rows - Math.round(X.rows * d.testFraction);
  if (nTrain < 2 * ctx.workers) throw new InputError(`kernel-regression: ${nTrain} training points cannot be split among ${ctx.workers} workers (at least 2 each)`);
  const nd = X.rows * X.cols;
  // Every worker stores every center; the master keeps X, α snapshots, and the direct solve's n×n kernel when n is small.
  const direct = nTrain <= DIRECT_LIMIT ? 2 * nTrain * nTrain : 0;
  return { master: 3 * nd + direct, workers: ctx.workers * nd, what: `X ${X.rows}×${X.cols}` };
}
