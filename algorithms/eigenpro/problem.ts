import { InputError, ShapeError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';

/**
 * Kernel regression data: points X (n×d), targets y, a train/test split. The seeded generator
 * draws x ~ N(0, I_d) and
 *   regression:      y = sin(2x₁) + cos(x₂)·x₃ + noise·N(0,1)
 *   classification:  y = sign(sin(2x₁) + cos(x₂)·x₃ + noise·N(0,1)) ∈ {−1, +1}
 */
export interface KernelProblem {
  Xtrain: Matrix;
  ytrain: Float64Array;
  Xtest: Matrix;
  ytest: Float64Array;
  /** True when every target is ±1 (then classification error is reported). */
  binary: boolean;
}

export function generateKernelData(kind: 'regression' | 'classification', n: number, d: number, noise: number, seed: number): { X: Matrix; y: Float64Array } {
  if (d < 3) throw new InputError('synthetic kernel data needs at least 3 features');
  const rng = new Rng(seed);
  const X: Matrix = { rows: n, cols: d, data: new Float64Array(n * d) };
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X.data[i * d + j] = rng.normal();
    const x = X.data.subarray(i * d, i * d + 3);
    const f = Math.sin(2 * x[0]!) + Math.cos(x[1]!) * x[2]! + noise * rng.normal();
    y[i] = kind === 'classification' ? (f >= 0 ? 1 : -1) : f;
  }
  return { X, y };
}

/** A seeded random split: `testFraction` of the rows go to the test set; training rows shuffled. */
export function splitTrainTest(X: Matrix, y: Float64Array, testFraction: number, seed: number): KernelProblem {
  if (y.length !== X.rows) throw new ShapeError(`${X.rows} points but ${y.length} targets`);
  const n = X.rows;
  const nTest = Math.round(n * testFraction);
  if (n - nTest < 2) throw new InputError(`test fraction ${testFraction} leaves ${n - nTest} training points`);
  const perm = new Rng(seed).permutation(n);
  const take = (idx: ArrayLike<number>): { X: Matrix; y: Float64Array } => {
    const m = idx.length;
    const out: Matrix = { rows: m, cols: X.cols, data: new Float64Array(m * X.cols) };
    const yy = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const i = idx[r]!;
      out.data.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), r * X.cols);
      yy[r] = y[i]!;
    }
    return { X: out, y: yy };
  };
  const test = take(perm.subarray(0, nTest));
  const train = take(perm.subarray(nTest));
  const binary = y.every((v) => v === 1 || v === -1);
  return { Xtrain: train.X, ytrain: train.y, Xtest: test.X, ytest: test.y, binary };
}

/** Contiguous slices [starts[r], starts[r+1]) of the (already shuffled) training rows, one per worker. */
export function sliceStarts(n: number, workers: number): number[] {
  const base = Math.floor(n / workers);
  const extra = n % workers;
  const out = [0];
  for (let r = 0; r < workers; r++) out.push(out[r]! + base + (r < extra ? 1 : 0));
  return out;
}
