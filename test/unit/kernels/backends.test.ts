import { describe, expect, it } from 'vitest';
import { ShapeError, SingularMatrixError } from '../../../shared/errors';
import { jsKernels, rowSquaredNorms, type KernelFn, type Kernels } from '../../../shared/kernels';
import { defaultAddonPath, loadBinding } from '../../../shared/kernels/native/binding';
import { Rng } from '../../../shared/random';
import { rowSlice, type Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

/**
 * The native backend (OpenBLAS) against the plain loops, kernel by kernel, on random inputs of
 * odd and empty shapes, views at odd offsets, weights and accumulation. Tolerances are relative
 * and scaled by the sizes: a sum of k products, reordered, moves by at most about k·ε times the
 * sum of the products' absolute values, which the plain kernel computes on |A| and |x|.
 */
const native = nativeKernelsOrSkip('kernels');
const EPS = Number.EPSILON;

const abs = (A: Matrix): Matrix => ({ rows: A.rows, cols: A.cols, data: A.data.map(Math.abs) });
const absv = (v: Float64Array): Float64Array => v.map(Math.abs);
function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}
/** Reordered sums of `terms` products whose absolute values add up to at most max|magnitudes|. */
function sumTol(terms: number, magnitudes: ArrayLike<number>): { rtol: number; atol: number } {
  const rtol = 8 * (terms + 2) * EPS;
  return { rtol, atol: rtol * maxAbs(magnitudes) };
}

function random(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}
const vec = (n: number, rng: Rng): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
/** A matrix whose data is a view starting at an odd offset of a larger buffer (as rowSlice makes). */
function view(rows: number, cols: number, rng: Rng): Matrix {
  const big = random(rows + 3, cols, rng);
  return rowSlice(big, 1, rows + 1);
}
function vecView(n: number, rng: Rng): Float64Array {
  return vec(n + 3, rng).subarray(1, n + 1);
}

const SHAPES: [number, number][] = [
  [0, 0],
  [0, 4],
  [4, 0],
  [1, 1],
  [7, 3],
  [3, 17],
  [33, 65],
  [257, 31],
  // Several row blocks in the native least-squares gradient and weighted Gram.
  [3000, 13],
];

describe.skipIf(!native)('native kernels equal the plain loops', () => {
  const nk = native as Kernels;
  const js = jsKernels;
  const rng = new Rng(2024);

  for (const [rows, cols] of SHAPES) {
    describe(`${rows}×${cols}`, () => {
      const A = view(rows, cols, rng);
      const x = vecView(cols, rng);
      const v = vecView(rows, rng);
      const b = vec(rows, rng);

      it('matVec and matTVec, plain and weighted with accumulation', () => {
        const mag = js.matVec(abs(A), absv(x), new Float64Array(rows));
        expectClose(nk.matVec(A, x, new Float64Array(rows)), js.matVec(A, x, new Float64Array(rows)), sumTol(cols, mag));
        const start = vec(rows, rng);
        expectClose(nk.matVec(A, x, Float64Array.from(start), -2.5, true), js.matVec(A, x, Float64Array.from(start), -2.5, true), sumTol(cols, mag.map((m, i) => 2.5 * m + Math.abs(start[i]!))));
        const magT = js.matTVec(abs(A), absv(v), new Float64Array(cols));
        expectClose(nk.matTVec(A, v, new Float64Array(cols)), js.matTVec(A, v, new Float64Array(cols)), sumTol(rows, magT));
        const startT = vec(cols, rng);
        expectClose(nk.matTVec(A, v, Float64Array.from(startT), 0.75, true), js.matTVec(A, v, Float64Array.from(startT), 0.75, true), sumTol(rows, magT.map((m, i) => m + Math.abs(startT[i]!))));
      });

      it('lsGradient, one point and stacked points, weights and accumulation', () => {
        // |A|ᵀ(|A||x| + |b|) bounds every partial sum of both products.
        const magR = js.matVec(abs(A), absv(x), new Float64Array(rows)).map((m, i) => m + Math.abs(b[i]!));
        const mag = js.matTVec(abs(A), magR, new Float64Array(cols));
        const tol = sumTol(rows + cols, mag.map((m) => 3 * m));
        expectClose(nk.lsGradient(A, b, x, new Float64Array(cols)), js.lsGradient(A, b, x, new Float64Array(cols)), tol);
        const start = vec(cols, rng);
        const tolAcc = sumTol(rows + cols, mag.map((m, i) => 3 * m + Math.abs(start[i]!)));
        expectClose(nk.lsGradient(A, b, x, Float64Array.from(start), 0.5, true), js.lsGradient(A, b, x, Float64Array.from(start), 0.5, true), tolAcc);
        const points = 3;
        const X = Float64Array.from({ length: points * cols }, () => rng.normal());
        const magX = new Float64Array(points * cols);
        for (let p = 0; p < points; p++) {
          const r = js.matVec(abs(A), absv(X.subarray(p * cols, (p + 1) * cols)), new Float64Array(rows)).map((m, i) => m + Math.abs(b[i]!));
          magX.set(js.matTVec(abs(A), r, new Float64Array(cols)), p * cols);
        }
        const outStart = vec(points * cols, rng);
        expectClose(
          nk.lsGradientStacked(A, b, X, points, Float64Array.from(outStart), -1.5, true),
          js.lsGradientStacked(A, b, X, points, Float64Array.from(outStart), -1.5, true),
          sumTol(rows + cols, magX.map((m, i) => 3 * m + Math.abs(outStart[i]!))),
        );
        expectClose(nk.lsGradientStacked(A, b, new Float64Array(0), 0, new Float64Array(0)), new Float64Array(0));
      });

      it('gram: unweighted, positive and mixed-sign weights, scaled and accumulated', () => {
        const dPos = Float64Array.from({ length: rows }, () => rng.uniform());
        const dMixed = vec(rows, rng);
        for (const d of [undefined, dPos, dMixed]) {
          const mag = js.gram(abs(A), d && absv(d), new Float64Array(cols * cols));
          expectClose(nk.gram(A, d, new Float64Array(cols * cols)), js.gram(A, d, new Float64Array(cols * cols)), sumTol(rows, mag));
          const start = vec(cols * cols, rng);
          expectClose(
            nk.gram(A, d, Float64Array.from(start), -0.3, true),
            js.gram(A, d, Float64Array.from(start), -0.3, true),
            sumTol(rows, mag.map((m, i) => m + Math.abs(start[i]!))),
          );
        }
      });

      it('stacked products M·Xᵀ and Mᵀ·V for 0, 1 and 5 vectors', () => {
        for (const k of [0, 1, 5]) {
          const X = Float64Array.from({ length: k * cols }, () => rng.normal());
          const V = Float64Array.from({ length: k * rows }, () => rng.normal());
          const mag = js.matVecStacked(abs(A), absv(X), k, new Float64Array(k * rows));
          expectClose(nk.matVecStacked(A, X, k, new Float64Array(k * rows)), js.matVecStacked(A, X, k, new Float64Array(k * rows)), sumTol(cols, mag));
          const magT = js.matTVecStacked(abs(A), absv(V), k, new Float64Array(k * cols));
          expectClose(nk.matTVecStacked(A, V, k, new Float64Array(k * cols)), js.matTVecStacked(A, V, k, new Float64Array(k * cols)), sumTol(rows, magT));
        }
      });
    });
  }

  describe('kernel blocks and predictions', () => {
    const P = view(40, 7, rng);
    const C = view(53, 7, rng);
    const kernels: KernelFn[] = [
      { name: 'gaussian', bandwidth: 1.7 },
      { name: 'laplacian', bandwidth: 2.3 },
    ];
    /** exp(g·d²) moves by |g|·δ(d²) relative; δ(d²) ≲ (d + 2)·ε·(‖p‖² + ‖c‖²) at most. */
    function kernelTol(k: KernelFn, X: Matrix, Y: Matrix): { rtol: number; atol: number } {
      const scale = maxAbs(rowSquaredNorms(X)) + maxAbs(rowSquaredNorms(Y));
      const g = k.name === 'gaussian' ? 1 / (2 * k.bandwidth ** 2) : 1 / k.bandwidth;
      // The Laplacian takes a square root of d², whose error near 0 is √δ: bounded by √(δ)·g.
      const delta = 8 * (X.cols + 2) * EPS * scale;
      const rtol = k.name === 'gaussian' ? g * delta + 8 * EPS : g * Math.sqrt(delta) + 8 * EPS;
      return { rtol, atol: rtol };
    }
    for (const k of kernels) {
      it(`${k.name}: consecutive rows, scattered rows with repeats, given norms, a larger output buffer`, () => {
        const tol = kernelTol(k, P, C);
        const all = Array.from({ length: P.rows }, (_, i) => i);
        expectClose(nk.kernelRows(k, P, all, C), js.kernelRows(k, P, all, C), tol);
        const some = [5, 6, 7, 8];
        expectClose(nk.kernelRows(k, P, some, C), js.kernelRows(k, P, some, C), tol);
        const scattered = Int32Array.from([39, 0, 17, 17, 3]);
        const pn = rowSquaredNorms(P);
        const cn = rowSquaredNorms(C);
        const outN = new Float64Array(scattered.length * C.rows + 11).fill(7);
        const outJ = new Float64Array(scattered.length * C.rows + 11).fill(7);
        nk.kernelRows(k, P, scattered, C, outN, pn, cn);
        js.kernelRows(k, P, scattered, C, outJ, pn, cn);
        expectClose(outN, outJ, tol);
        // A point against itself: distance 0, kernel 1, even where rounding makes d² slightly negative.
        const self = nk.kernelRows(k, P, [3], P);
        expect(Math.abs(self[3]! - 1)).toBeLessThanOrEqual(tol.rtol);
        expect(nk.kernelRows(k, P, [], C)).toEqual(new Float64Array(0));
        expect(nk.kernelRows(k, P, [1, 2], { rows: 0, cols: 7, data: new Float64Array(0) })).toEqual(new Float64Array(0));
      });
      it(`${k.name}: predictions in blocks of odd size`, () => {
        const alpha = vec(C.rows, rng);
        const tol = kernelTol(k, P, C);
        const mag = maxAbs(alpha) * C.rows;
        expectClose(nk.kernelPredict(k, P, C, alpha, 7), js.kernelPredict(k, P, C, alpha, 7), { rtol: tol.rtol + 8 * C.rows * EPS, atol: (tol.rtol + 8 * C.rows * EPS) * mag });
      });
    }
  });

  describe('logistic gradient, line-search losses, local Newton step, SPD solve', () => {
    for (const [rows, cols] of [[1, 1], [9, 4], [301, 17]] as const) {
      const A = view(rows, cols, rng);
      const y = Float64Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? -1 : 1));
      const w = vec(cols, rng).map((t) => 0.3 * t);
      // The margins' error (cols·ε·|A||w|) moves loss and β by at most as much (their slopes are ≤ 1).
      const magM = maxAbs(jsKernels.matVec(abs(A), absv(w), new Float64Array(rows)));
      it(`${rows}×${cols}`, () => {
        const start = vec(cols + 1, rng);
        const outN = nk.logisticGradientInto(A, y, w, Float64Array.from(start), 0.7);
        const outJ = js.logisticGradientInto(A, y, w, Float64Array.from(start), 0.7);
        const colMag = js.matTVec(abs(A), new Float64Array(rows).fill(1 + magM), new Float64Array(cols));
        const mag = Float64Array.from([...colMag, rows * (1 + magM)].map((m, i) => m + Math.abs(start[i]!)));
        expectClose(outN, outJ, sumTol(rows + cols, mag));

        const p = vec(cols, rng);
        const steps = Float64Array.from([1, 0.5, 0.25, 1e-3]);
        const magP = maxAbs(jsKernels.matVec(abs(A), absv(p), new Float64Array(rows)));
        const lossN = nk.logisticLossAtStepsInto(A, y, w, p, steps, new Float64Array(steps.length), 2);
        const lossJ = js.logisticLossAtStepsInto(A, y, w, p, steps, new Float64Array(steps.length), 2);
        expectClose(lossN, lossJ, sumTol(rows + cols, [2 * rows * (magM + magP + 1)]));

        const g = vec(cols, rng);
        const lambda = 0.5;
        // H = AᵀΓA/rows + λI with Γ ≤ 1/4: κ(H) ≤ 1 + ‖A‖²/(4·rows·λ).
        const kappa = 1 + maxAbs(js.gram(abs(A), undefined, new Float64Array(cols * cols))) * cols / (4 * rows * lambda);
        const stepN = nk.localNewtonInto(A, y, w, g, lambda, new Float64Array(cols), 1.5);
        const stepJ = js.localNewtonInto(A, y, w, g, lambda, new Float64Array(cols), 1.5);
        const rtol = 16 * (rows + cols * cols) * EPS * kappa;
        expectClose(stepN, stepJ, { rtol, atol: rtol * maxAbs(stepJ) });
      });
    }

    it('solveSpd on an SPD matrix, and a matrix that is not SPD is a SingularMatrixError from both', () => {
      const n = 23;
      const B = random(n, n, rng);
      const H = js.gram(B, undefined, new Float64Array(n * n));
      for (let i = 0; i < n; i++) H[i * n + i]! += n;
      const rhs = vec(n, rng);
      const xJ = js.solveSpd(H, n, rhs);
      expectClose(nk.solveSpd(H, n, rhs), xJ, { rtol: 1e-12 * n, atol: 1e-12 * n * maxAbs(xJ) });
      const bad = Float64Array.from(H);
      bad[5 * n + 5] = -1;
      for (const k of [nk, js]) expect(() => k.solveSpd(bad, n, rhs)).toThrow(SingularMatrixError);
      expect(nk.solveSpd(new Float64Array(0), 0, new Float64Array(0))).toEqual(new Float64Array(0));
    });
  });

  it("the kernel map's vectorized exp is within 1 ulp of Math.exp, libm's answer outside its range", () => {
    const binding = loadBinding(defaultAddonPath());
    const special = [0, -0, 1e-300, -1e-300, -0.34657359, 0.34657359, -706.99, -707, -707.0001, -708.4, -745.1, -745.2, -746, -Infinity, 709, 709.5, 710, Infinity, NaN];
    const x = Float64Array.from([...special, ...Array.from({ length: 20_000 }, () => -760 * rng.uniform() ** 3 + 5 * rng.uniform())]);
    const y = new Float64Array(x.length);
    binding.expArray(x, y);
    const view = new DataView(new ArrayBuffer(8));
    const ulp = (v: number): number => {
      view.setFloat64(0, Math.abs(v));
      return 2 ** Math.max((view.getUint16(0) >> 4) - 1075, -1074);
    };
    for (let i = 0; i < x.length; i++) {
      const e = Math.exp(x[i]!);
      if (!Number.isFinite(e) || e === 0) expect(y[i], `exp(${x[i]})`).toBe(e);
      else expect(Math.abs(y[i]! - e) / ulp(e), `exp(${x[i]})`).toBeLessThanOrEqual(1);
    }
  });

  it('allocate: zeroed memory of the asked size (huge pages from 2 MiB up) that the kernels use like any other', () => {
    for (const bytes of [0, 8 * 1000, 8 * 600_000]) {
      const a = new Float64Array(nk.allocate(bytes));
      expect(a.length).toBe(bytes / 8);
      expect(a.every((v) => v === 0)).toBe(true);
    }
    const A = { rows: 1000, cols: 600, data: new Float64Array(nk.allocate(8 * 600_000)) };
    A.data.set(Float64Array.from({ length: A.data.length }, () => rng.normal()));
    const x = vec(600, rng);
    expectClose(nk.matVec(A, x, new Float64Array(1000)), js.matVec(A, x, new Float64Array(1000)), sumTol(600, js.matVec(abs(A), absv(x), new Float64Array(1000))));
    expect(new Float64Array(js.allocate(80)).length).toBe(10);
  });

  it('the addon itself refuses lengths BLAS would read past and arguments of the wrong type (an exception, never a crash)', () => {
    const binding = loadBinding(defaultAddonPath());
    const f = (n: number): Float64Array => new Float64Array(n);
    expect(() => binding.dgemv(false, 10, 10, 1, f(99), 10, f(10), 0, f(10))).toThrow(RangeError);
    expect(() => binding.dgemv(true, 10, 10, 1, f(100), 10, f(9), 0, f(10))).toThrow(RangeError);
    expect(() => binding.dgemv(false, 10, 10, 1, f(100), 9, f(10), 0, f(10))).toThrow(/leading dimension/);
    expect(() => binding.dgemm(false, true, 4, 5, 6, 1, f(24), 6, f(29), 6, 0, f(20), 5)).toThrow(RangeError);
    expect(() => binding.gram(f(10), 5, 3, null, 1, f(9), false)).toThrow(RangeError);
    expect(() => binding.lsGradient(f(12), 4, 3, f(3), f(3), 1, 1, f(3))).toThrow(RangeError);
    expect(() => binding.kernelMap(f(10), 2, 5, 5, f(1), f(5), -1, true)).toThrow(RangeError);
    expect(() => binding.choleskySolve(f(8), 3, f(3), f(3))).toThrow(RangeError);
    expect(() => binding.dgemv(false, 2.5, 2, 1, f(4), 2, f(2), 0, f(2))).toThrow(/integer/);
    expect(() => binding.dgemv(false, 2, 2, 1, [1, 2, 3, 4] as unknown as Float64Array, 2, f(2), 0, f(2))).toThrow(TypeError);
    expect(() => binding.dgemv(false, 2, 2, 1, new Float32Array(4) as unknown as Float64Array, 2, f(2), 0, f(2))).toThrow(TypeError);
    expect(() => binding.setThreads(0)).toThrow(RangeError);
    expect(() => binding.pinMallocThreshold(0)).toThrow(RangeError);
  });

  it('pins glibc\'s mmap threshold where there is glibc (freed tensors go back to the system)', () => {
    const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined;
    expect(loadBinding(defaultAddonPath()).pinMallocThreshold(128 << 10)).toBe(glibc);
  });

  it('a NaN in a block shows in the same outputs on both backends', () => {
    const A = random(6, 4, rng);
    A.data[2 * 4 + 1] = NaN;
    const x = vec(4, rng);
    const b = vec(6, rng);
    const nanPattern = (v: Float64Array): boolean[] => Array.from(v, Number.isNaN);
    const pairs: [string, (k: Kernels) => Float64Array][] = [
      ['matVec', (k) => k.matVec(A, x, new Float64Array(6))],
      ['matTVec', (k) => k.matTVec(A, b, new Float64Array(4))],
      ['lsGradient', (k) => k.lsGradient(A, b, x, new Float64Array(4))],
      ['gram', (k) => k.gram(A, undefined, new Float64Array(16))],
      ['gram (weighted)', (k) => k.gram(A, b.map(Math.abs), new Float64Array(16))],
      ['kernelRows', (k) => k.kernelRows({ name: 'gaussian', bandwidth: 1 }, A, [0, 2, 4], A)],
      ['logisticGradient', (k) => k.logisticGradientInto(A, b.map(Math.sign), x, new Float64Array(5))],
    ];
    for (const [name, run] of pairs) {
      const n = run(nk);
      const j = run(js);
      expect(nanPattern(n), name).toEqual(nanPattern(j));
      expect(n.some(Number.isNaN), `${name} reports the NaN`).toBe(true);
    }
  });
});

describe('shape mismatches are ShapeErrors from both backends, with the same message', () => {
  const backends: Kernels[] = native ? [jsKernels, native] : [jsKernels];
  const rng = new Rng(5);
  const A = random(5, 3, rng);
  const k: KernelFn = { name: 'gaussian', bandwidth: 1 };
  const cases: [string, (b: Kernels) => unknown][] = [
    ['matVec x', (b) => b.matVec(A, new Float64Array(4), new Float64Array(5))],
    ['matVec out', (b) => b.matVec(A, new Float64Array(3), new Float64Array(4))],
    ['matTVec v', (b) => b.matTVec(A, new Float64Array(3), new Float64Array(3))],
    ['lsGradient b', (b) => b.lsGradient(A, new Float64Array(4), new Float64Array(3), new Float64Array(3))],
    ['lsGradient out', (b) => b.lsGradient(A, new Float64Array(5), new Float64Array(3), new Float64Array(2))],
    ['lsGradientStacked X', (b) => b.lsGradientStacked(A, new Float64Array(5), new Float64Array(5), 2, new Float64Array(6))],
    ['gram d', (b) => b.gram(A, new Float64Array(4), new Float64Array(9))],
    ['gram out', (b) => b.gram(A, undefined, new Float64Array(8))],
    ['matVecStacked', (b) => b.matVecStacked(A, new Float64Array(5), 2, new Float64Array(10))],
    ['matTVecStacked out', (b) => b.matTVecStacked(A, new Float64Array(10), 2, new Float64Array(5))],
    ['kernelRows features', (b) => b.kernelRows(k, A, [0], random(2, 4, rng))],
    ['kernelRows row', (b) => b.kernelRows(k, A, [5], A)],
    ['kernelRows out', (b) => b.kernelRows(k, A, [0, 1], A, new Float64Array(9))],
    ['kernelRows norms', (b) => b.kernelRows(k, A, [0], A, undefined, new Float64Array(2))],
    ['kernelPredict', (b) => b.kernelPredict(k, A, A, new Float64Array(4))],
    ['logisticGradient', (b) => b.logisticGradientInto(A, new Float64Array(5), new Float64Array(3), new Float64Array(3))],
    ['logisticLoss', (b) => b.logisticLossAtStepsInto(A, new Float64Array(5), new Float64Array(3), new Float64Array(2), new Float64Array(2), new Float64Array(2))],
    ['localNewton', (b) => b.localNewtonInto(A, new Float64Array(4), new Float64Array(3), new Float64Array(3), 1, new Float64Array(3))],
    ['solveSpd', (b) => b.solveSpd(new Float64Array(8), 3, new Float64Array(3))],
    ['a Matrix with fewer values than rows×cols', (b) => b.matVec({ rows: 4, cols: 4, data: new Float64Array(5) }, new Float64Array(4), new Float64Array(4))],
  ];
  for (const [name, call] of cases) {
    it(name, () => {
      const messages = backends.map((b) => {
        try {
          call(b);
        } catch (e) {
          expect(e, `${b.name}: ${(e as Error).message}`).toBeInstanceOf(ShapeError);
          return (e as Error).message;
        }
        throw new Error(`${b.name} accepted ${name}`);
      });
      expect(new Set(messages).size).toBe(1);
    });
  }
});
