import { InputError, ShapeError } from '../../../shared/errors';
import { logisticLayout } from '../../../algorithms/logistic';
import type { CheckContext, Footprint, Shape } from '../check-types';
import type { LogisticRegressionJobSpec } from './schema';
import { solveSpecOf } from './solve-spec';

/** Labels are a vector of one value per row. */
function checkLabels(key: string, y: Shape | undefined, rows: number | undefined): void {
  if (!y) return;
  if (y.cols !== 1 && y.rows !== 1) throw new ShapeError(`${key}: expected a vector of labels, got a ${y.rows}×${y.cols} matrix`);
  const len = y.cols === 1 ? y.rows : y.cols;
  if (rows !== undefined && len !== rows) throw new ShapeError(`${key}: ${len} labels for ${rows} rows`);
}

/** The data's shapes, the split, and the solver's schemes and sketch against the workers (logisticLayout). */
export function checkLogisticRegression(job: LogisticRegressionJobSpec, ctx: CheckContext): Footprint {
  const d = job.data;
  let X: Shape | undefined;
  if (d.synthetic) X = { rows: d.synthetic.rows, cols: d.synthetic.cols };
  else if (d.X) {
    X = ctx.shape(d.X);
    checkLabels('data.y', ctx.shape(d.y!), X?.rows);
  }
  const t = d.test;
  let nTrain = X?.rows;
  if (X && t && 'fraction' in t) {
    const nTest = Math.round(t.fraction * X.rows);
    if (nTest < 1 || nTest >= X.rows) throw new InputError(`data.test.fraction ${t.fraction} leaves no training or no test rows out of ${X.rows}`);
    nTrain = X.rows - nTest;
  } else if (t && 'X' in t) {
    const Xt = ctx.shape(t.X);
    if (Xt && X && Xt.cols !== X.cols) throw new ShapeError(`data.test: ${Xt.cols} features, the training data has ${X.cols}`);
    checkLabels('data.test.y', ctx.shape(t.y), Xt?.rows);
  }
  if (!X || nTrain === undefined) return { master: 0, workers: 0, what: 'X' };
  logisticLayout(solveSpecOf(job), ctx.workers, nTrain, X.cols);
  const nd = X.rows * X.cols;
  // The master: X, the split's copies, coded X and Xᵀ (padded); the workers: two coded copies of X
  // (n/k times its size each), and the Hessian's or the sketch's blocks.
  return { master: 4 * nd, workers: 5 * nd, what: `X ${X.rows}×${X.cols}` };
}
