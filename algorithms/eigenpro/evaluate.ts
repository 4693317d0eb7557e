import { kernelPredict, type KernelFn } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';

/** A point of the loss curve: α as it stood at `seconds` of training, after `epochs` passes. */
export interface Snapshot {
  seconds: number;
  epochs: number;
  updates: number;
  alpha: Float64Array;
}

export interface CurvePoint {
  seconds: number;
  epochs: number;
  updates: number;
  /** ‖Kα − y‖²/‖y‖² on the evaluation sample of training points. */
  trainRelError: number;
  trainMse: number;
  testMse: number | null;
  /** Share of sign(f(x)) ≠ y, for ±1 labels. */
  trainClassError: number | null;
  testClassError: number | null;
}

/**
 * Evaluates snapshots after the run (so evaluation never competes with training for the CPU or
 * stalls the parameter store): training error on a fixed seeded sample of training points (all
 * when n ≤ evalPoints), test MSE on the whole test split.
 */
export class CurveEvaluator {
  private readonly evalX: Matrix;
  private readonly evalY: Float64Array;
  readonly evalPoints: number;

  constructor(
    private readonly kernel: KernelFn,
    private readonly centers: Matrix,
    y: Float64Array,
    private readonly Xtest: Matrix | null,
    private readonly ytest: Float64Array | null,
    private readonly binary: boolean,
    evalPoints: number,
    seed: number,
  ) {
    const n = centers.rows;
    const k = evalPoints <= 0 || evalPoints >= n ? n : evalPoints;
    const idx = k === n ? Array.from({ length: n }, (_, i) => i) : Array.from(new Rng(seed).permutation(n).subarray(0, k)).sort((a, b) => a - b);
    this.evalX = { rows: k, cols: centers.cols, data: new Float64Array(k * centers.cols) };
    this.evalY = new Float64Array(k);
    idx.forEach((i, r) => {
      this.evalX.data.set(centers.data.subarray(i * centers.cols, (i + 1) * centers.cols), r * centers.cols);
      this.evalY[r] = y[i]!;
    });
    this.evalPoints = k;
  }

  point(s: Snapshot, withTest = true): CurvePoint {
    const f = kernelPredict(this.kernel, this.evalX, this.centers, s.alpha);
    let r2 = 0;
    let y2 = 0;
    let wrong = 0;
    for (let i = 0; i < f.length; i++) {
      r2 += (f[i]! - this.evalY[i]!) ** 2;
      y2 += this.evalY[i]! ** 2;
      if (Math.sign(f[i]!) !== this.evalY[i]) wrong++;
    }
    let testMse: number | null = null;
    let testClassError: number | null = null;
    if (withTest && this.Xtest && this.ytest && this.Xtest.rows > 0) {
      const ft = kernelPredict(this.kernel, this.Xtest, this.centers, s.alpha);
      let t2 = 0;
      let tw = 0;
      for (let i = 0; i < ft.length; i++) {
        t2 += (ft[i]! - this.ytest[i]!) ** 2;
        if (Math.sign(ft[i]!) !== this.ytest[i]) tw++;
      }
      testMse = t2 / ft.length;
      testClassError = this.binary ? tw / ft.length : null;
    }
    return {
      seconds: s.seconds,
      epochs: s.epochs,
      updates: s.updates,
      trainRelError: r2 / (y2 || 1),
      trainMse: r2 / f.length,
      testMse,
      trainClassError: this.binary ? wrong / f.length : null,
      testClassError,
    };
  }
}

/** First curve point at or below `target` (relative training error), or null. */
export function timeToError(curve: CurvePoint[], target: number): { seconds: number; epochs: number } | null {
  const p = curve.find((c) => c.trainRelError <= target);
  return p ? { seconds: p.seconds, epochs: p.epochs } : null;
}
