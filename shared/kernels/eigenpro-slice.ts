import { Rng } from '../random';
import type { Matrix } from '../tensor';
import { jsKernels, type Kernels } from './backend';
import { eigenproPreconditioner, eigenproSliceDelta, type EigenproPreconditioner } from './eigenpro';
import { rowSquaredNorms, type KernelFn } from './kernel-rows';
import { topEigen } from './top-eigen';

/**
 * What one EigenPro worker computes on its slice D_r = [start, end) of the (shuffled) data, as
 * pure functions: the worker's task kinds and the master's in-process simulations share them.
 */
export interface SliceState {
  X: Matrix;
  norms: Float64Array;
  y: Float64Array;
  start: number;
  end: number;
  nys: Int32Array;
  M: EigenproPreconditioner;
  /** σ_1..σ_{q+1} of K(nys, nys). */
  sigmas: Float64Array;
  beta: number;
  kernel: KernelFn;
  /** The backend the slice's steps run on. */
  kernels: Kernels;
}

/** Nyström sample of s points of [start, end) (seeded), K(nys, nys), its top q+1 eigenpairs, M_s. */
export function buildSliceState(
  X: Matrix,
  y: Float64Array,
  start: number,
  end: number,
  kernel: KernelFn,
  s: number,
  q: number,
  seed: number,
  norms = rowSquaredNorms(X),
  kernels: Kernels = jsKernels,
): SliceState {
  const len = end - start;
  const sEff = Math.min(s, len);
  const qEff = Math.min(q, sEff - 1);
  const perm = new Rng(seed).permutation(len);
  const nys = new Int32Array(sEff);
  for (let i = 0; i < sEff; i++) nys[i] = start + perm[i]!;
  nys.sort();
  const nysMatrix: Matrix = { rows: sEff, cols: X.cols, data: new Float64Array(sEff * X.cols) };
  for (let i = 0; i < sEff; i++) nysMatrix.data.set(X.data.subarray(nys[i]! * X.cols, (nys[i]! + 1) * X.cols), i * X.cols);
  const Kss = kernels.kernelRows(kernel, nysMatrix, Array.from({ length: sEff }, (_, i) => i), nysMatrix);
  const top = topEigen(Kss, sEff, qEff + 1, { seed: seed + 1 });
  const M = eigenproPreconditioner(top, qEff);
  // β = max_i k(x_i, x_i): both kernels are functions of ‖x − z‖ with k = 1 at distance 0.
  const beta = 1;
  return { X, norms, y, start, end, nys, M, sigmas: top.values, beta, kernel, kernels };
}

/** λ_{q+1} of K/n as this slice's Nyström sample estimates it: σ_{q+1}/s. */
export function lambdaNext(st: SliceState): number {
  return st.M.sigmaNext / st.M.s;
}

/** m distinct indices of [start, end), seeded. */
export function sampleBatch(rng: Rng, start: number, end: number, m: number): Int32Array {
  const len = end - start;
  const mm = Math.min(m, len);
  const out = new Int32Array(mm);
  // Floyd's algorithm: m distinct draws without materializing a permutation of the slice.
  const chosen = new Set<number>();
  let k = 0;
  for (let j = len - mm; j < len; j++) {
    const t = rng.int(j + 1);
    const pick = chosen.has(t) ? j : t;
    chosen.add(pick);
    out[k++] = start + pick;
  }
  return out;
}

/** One step on the slice (eq. 9-11) at α̂: returns the change of α[start, end). */
export function sliceStep(st: SliceState, alphaHat: Float64Array, batch: Int32Array, step: number, scale: number, Kb?: Float64Array): { delta: Float64Array; batchSquaredResidual: number } {
  const n = st.X.rows;
  const K = st.kernels.kernelRows(st.kernel, st.X, batch, st.X, Kb, st.norms, st.norms);
  const yBatch = new Float64Array(batch.length);
  for (let r = 0; r < batch.length; r++) yBatch[r] = st.y[batch[r]!]!;
  return eigenproSliceDelta({ Kb: K, n, alpha: alphaHat, yBatch, batch, nys: st.nys, M: st.M, step, scale, sliceStart: st.start, sliceLen: st.end - st.start, matVec: st.kernels.matVec });
}
