import type { KernelFn } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
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
 * stalls the parameter store), on the master's linear-algebra thread: training error on a fixed
 * seeded sample of training points (all when n ≤ evalPoints), test MSE on the whole test split.
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

  /**
   * Every snapshot's curve point. The predictions K(eval, centers)·[α₁ … α_S] (and the test
   * split's) are two products on the master's linear-algebra thread, in blocks of rows, whatever
   * the number of snapshots; only the sums over the predictions run here.
   */
  async points(la: AsyncLinalg, snapshots: readonly Snapshot[], withTest = true): Promise<CurvePoint[]> {
    const S = snapshots.length;
    if (S === 0) return [];
    const n = this.centers.rows;
    const W = { rows: n, cols: S, data: new Float64Array(n * S) };
    snapshots.forEach((s, j) => {
      for (let i = 0; i < n; i++) W.data[i * S + j] = s.alpha[i]!;
    });
    const F = await la.kernelPredict(this.kernel, this.evalX, this.centers, W);
    const test = withTest && this.Xtest && this.ytest && this.Xtest.rows > 0 ? await la.kernelPredict(this.kernel, this.Xtest, this.centers, W) : undefined;
    return snapshots.map((s, j) => {
      let r2 = 0;
      let y2 = 0;
      let wrong = 0;
      for (let i = 0; i < F.rows; i++) {
        const f = F.data[i * S + j]!;
        r2 += (f - this.evalY[i]!) ** 2;
        y2 += this.evalY[i]! ** 2;
        if (Math.sign(f) !== this.evalY[i]) wrong++;
      }
      let testMse: number | null = null;
      let testClassError: number | null = null;
      if (test) {
        let t2 = 0;
        let tw = 0;
        for (let i = 0; i < test.rows; i++) {
          const f = test.data[i * S + j]!;
          t2 += (f - this.ytest![i]!) ** 2;
          if (Math.sign(f) !== this.ytest![i]) tw++;
        }
        testMse = t2 / test.rows;
        testClassError = this.binary ? tw / test.rows : null;
      }
      return {
        seconds: s.seconds,
        epochs: s.epochs,
        updates: s.updates,
        trainRelError: r2 / (y2 || 1),
        trainMse: r2 / F.rows,
        testMse,
        trainClassError: this.binary ? wrong / F.rows : null,
        testClassError,
      };
    });
  }
}

/** First curve point at or below `target` (relative training error), or null. */
export function timeToError(curve: CurvePoint[], target: number): { seconds: number; epochs: number } | null {
  const p = curve.find((c) => c.trainRelError <= target);
  return p ? { seconds: p.seconds, epochs: p.epochs } : null;
}
