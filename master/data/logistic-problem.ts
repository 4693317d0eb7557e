import type { LogisticDataSpec } from './logistic-schema';
import { InputError, ShapeError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import { loadMatrix, loadVector, type Matrix } from '../../shared/tensor';
import { readLibsvm } from './libsvm';
import { syntheticLogistic } from './logistic-synthetic';

export interface LogisticDataSet {
  X: Matrix;
  /** Labels ±1. */
  y: Float64Array;
}

export interface LogisticProblemData {
  train: LogisticDataSet;
  test?: LogisticDataSet;
  /** Where it came from, for result.json. */
  source: Record<string, unknown>;
}

/**
 * The job's training (and test) data from .npy/.csv files, LIBSVM text or the seeded generator
 * (`alloc`: where the generator puts X; the files' arrays are their readers').
 */
export function loadLogisticProblem(data: LogisticDataSpec, alloc?: (length: number) => Float64Array): LogisticProblemData {
  let all: LogisticDataSet;
  let source: Record<string, unknown>;
  if (data.synthetic) {
    const { X, y } = syntheticLogistic(data.synthetic, alloc);
    all = { X, y };
    source = { synthetic: data.synthetic };
  } else if (data.libsvm) {
    all = readLibsvm(data.libsvm, data.features);
    source = { libsvm: data.libsvm };
  } else {
    all = { X: loadMatrix(data.X!), y: loadVector(data.y!) };
    checkLabels(all.y, data.y!);
    source = { X: data.X, y: data.y };
  }
  if (all.y.length !== all.X.rows) throw new ShapeError(`data: X has ${all.X.rows} rows but there are ${all.y.length} labels`);
  const t = data.test;
  if (!t) return { train: all, source };
  if ('fraction' in t) {
    const { train, test } = trainTestSplit(all, t.fraction, t.seed);
    return { train, test, source: { ...source, test: t } };
  }
  const test = 'libsvm' in t ? readLibsvm(t.libsvm, all.X.cols) : { X: loadMatrix(t.X), y: loadVector(t.y) };
  if ('y' in t) checkLabels(test.y, t.y);
  if (test.X.cols !== all.X.cols) throw new ShapeError(`data.test: ${test.X.cols} features, the training data has ${all.X.cols}`);
  if (test.y.length !== test.X.rows) throw new ShapeError(`data.test: ${test.X.rows} rows but ${test.y.length} labels`);
  return { train: all, test, source: { ...source, test: t } };
}

function checkLabels(y: Float64Array, path: string): void {
  const bad = y.findIndex((v) => v !== 1 && v !== -1);
  if (bad >= 0) throw new InputError(`${path}: labels must be +1 or -1; entry ${bad} is not`);
}

/** A seeded random split: round(fraction·n) rows held out for testing. */
export function trainTestSplit(d: LogisticDataSet, fraction: number, seed: number): { train: LogisticDataSet; test: LogisticDataSet } {
  const n = d.X.rows;
  const nTest = Math.round(fraction * n);
  if (nTest < 1 || nTest >= n) throw new InputError(`data.test.fraction ${fraction} leaves no training or no test rows out of ${n}`);
  const perm = new Rng(seed).permutation(n);
  const take = (idx: Int32Array): LogisticDataSet => {
    const cols = d.X.cols;
    const X = new Float64Array(idx.length * cols);
    const y = new Float64Array(idx.length);
    idx.forEach((r, i) => {
      X.set(d.X.data.subarray(r * cols, (r + 1) * cols), i * cols);
      y[i] = d.y[r]!;
    });
    return { X: { rows: idx.length, cols, data: X }, y };
  };
  // Keep each side in the original row order (reproducible blocks for a given split).
  const test = perm.slice(0, nTest).sort();
  const train = perm.slice(nTest).sort();
  return { train: take(train), test: take(test) };
}
