import { ShapeError } from '../errors';
import { matVec } from './blas';
import type { TopEigen } from './top-eigen';

/**
 * EigenPro's pieces as pure functions (Giri, Belkin & Pandit; eq. 5-12).
 *
 * σ_1 ≥ … ≥ σ_{q+1} are eigenvalues of the s×s Nyström kernel matrix K(nys, nys) (the paper's
 * sλ_i^{(s)}), E its top-q eigenvectors. The preconditioner of eq. (12) is
 *   M_s = E Λ⁻¹ (I − σ_{q+1} Λ⁻¹) Eᵀ = Σ_{i≤q} (1 − σ_{q+1}/σ_i)/σ_i · e_i e_iᵀ,
 * which flattens the top q directions of the kernel to σ_{q+1} (Lemma 2). λ_{q+1} = σ_{q+1}/s is
 * the (q+1)-th eigenvalue of K/n as the Nyström sample estimates it.
 */
export interface EigenproPreconditioner {
  /** s×q row-major. */
  E: Float64Array;
  /** (1 − σ_{q+1}/σ_i)/σ_i, i = 1..q. */
  d: Float64Array;
  s: number;
  q: number;
  /** σ_{q+1}: eigenvalue q+1 of K(nys, nys). */
  sigmaNext: number;
}

/** M_s from the top q+1 eigenpairs of K(nys, nys) (the (q+1)-th only lends its value). */
export function eigenproPreconditioner(top: TopEigen, q: number): EigenproPreconditioner {
  if (top.k < q + 1) throw new ShapeError(`eigenproPreconditioner: need ${q + 1} eigenpairs for q = ${q}, got ${top.k}`);
  const { s } = top;
  const sigmaNext = Math.max(top.values[q]!, 0);
  const E = new Float64Array(s * q);
  const d = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    const sig = top.values[i]!;
    d[i] = sig > 0 ? (1 - sigmaNext / sig) / sig : 0;
  }
  for (let r = 0; r < s; r++) for (let i = 0; i < q; i++) E[r * q + i] = top.vectors[r * top.k + i]!;
  return { E, d, s, q, sigmaNext };
}

/** out = M_s v (length s): E diag(d) Eᵀ v in O(sq). */
export function applyPreconditioner(M: EigenproPreconditioner, v: Float64Array, out = new Float64Array(M.s)): Float64Array {
  if (v.length !== M.s) throw new ShapeError(`applyPreconditioner: v has ${v.length} values, s = ${M.s}`);
  const { E, d, s, q } = M;
  const c = new Float64Array(q);
  for (let r = 0; r < s; r++) {
    const vr = v[r]!;
    if (vr === 0) continue;
    for (let i = 0; i < q; i++) c[i]! += E[r * q + i]! * vr;
  }
  for (let i = 0; i < q; i++) c[i]! *= d[i]!;
  for (let r = 0; r < s; r++) {
    let x = 0;
    for (let i = 0; i < q; i++) x += E[r * q + i]! * c[i]!;
    out[r] = x;
  }
  return out;
}

/**
 * The paper's step bound (Theorem 1): η = m / (β + λ_{q+1}(m − 1)), β = max_i k(x_i, x_i),
 * λ_{q+1} = σ_{q+1}/s. With g = (1/m)(K α − y) on the batch, this is the largest step for which
 * the preconditioned batch operator (η/m)·P·K(batch, batch) stays below 1.
 */
export function eigenproStep(m: number, beta: number, lambdaNext: number): number {
  return m / (beta + lambdaNext * (m - 1));
}

/**
 * The step for a read that is τ updates stale (AsyncEigenPro). The τ updates written between
 * this worker's read and its write were computed, like its own, on α's that lack each other's
 * changes: together they act as one EigenPro step on a batch of (τ+1)m points with the
 * per-point step η/m. Keeping that combined step inside the bound above gives
 *   η_τ = m / (β + λ_{q+1}((τ+1)m − 1)),
 * which is the paper's η at τ = 0 and equals, per point, the step synchronous EigenPro takes
 * with G workers' batches (τ = G − 1). Corollary 2 says η must fall as τ grows (η² τ bounded for
 * a fixed error); this rule falls like 1/(τ+1) once (τ+1)m is past the critical batch β/λ_{q+1}
 * and not at all below it, where stale batches add up like a larger batch.
 */
export function stalenessStep(m: number, tau: number, beta: number, lambdaNext: number): number {
  return m / (beta + lambdaNext * ((tau + 1) * m - 1));
}

/**
 * One EigenPro step restricted to a worker's slice [sliceStart, sliceStart + sliceLen) of α
 * (eq. 9-11; with the whole data as the slice, eq. 5-7). Kb holds K(batch, all n) row-major;
 * batch and nys are global indices inside the slice, batch without repeats.
 * Returns the change of the slice:
 *   Δ[batch] −= η g,   Δ[nys] += η M_s K(nys, batch) g,   g = scale·(Kb α − y_batch),
 * with scale = 1/m for one worker's batch (1/(total batch) in the synchronous multi-worker form).
 * Also returns Σ over the batch of the squared residual (a free estimate of the training loss).
 */
export function eigenproSliceDelta(args: {
  Kb: Float64Array;
  n: number;
  alpha: Float64Array;
  yBatch: Float64Array;
  batch: ArrayLike<number>;
  nys: ArrayLike<number>;
  M: EigenproPreconditioner;
  step: number;
  scale: number;
  sliceStart: number;
  sliceLen: number;
  /** The backend's matrix-vector product for Kb α (default: the plain loop). */
  matVec?: typeof matVec;
}): { delta: Float64Array; batchSquaredResidual: number } {
  const { Kb, n, alpha, yBatch, batch, nys, M, step, scale, sliceStart, sliceLen } = args;
  const m = batch.length;
  if (Kb.length < m * n || alpha.length !== n || yBatch.length !== m) throw new ShapeError('eigenproSliceDelta: shapes do not agree');
  if (nys.length !== M.s) throw new ShapeError(`eigenproSliceDelta: ${nys.length} Nyström indices for a preconditioner of s = ${M.s}`);
  const f = (args.matVec ?? matVec)({ rows: m, cols: n, data: Kb.subarray(0, m * n) }, alpha, new Float64Array(m));
  const g = new Float64Array(m);
  let sq = 0;
  for (let r = 0; r < m; r++) {
    const res = f[r]! - yBatch[r]!;
    sq += res * res;
    g[r] = scale * res;
  }
  const delta = new Float64Array(sliceLen);
  for (let r = 0; r < m; r++) {
    const i = batch[r]! - sliceStart;
    if (i < 0 || i >= sliceLen) throw new ShapeError(`eigenproSliceDelta: batch index ${batch[r]} is outside the slice`);
    delta[i]! -= step * g[r]!;
  }
  // K(nys, batch) g: the batch's kernel rows already hold the Nyström columns (nys ⊂ centers).
  const v = new Float64Array(M.s);
  for (let t = 0; t < M.s; t++) {
    const col = nys[t]!;
    let x = 0;
    for (let r = 0; r < m; r++) x += Kb[r * n + col]! * g[r]!;
    v[t] = x;
  }
  const c = applyPreconditioner(M, v);
  for (let t = 0; t < M.s; t++) {
    const i = nys[t]! - sliceStart;
    if (i < 0 || i >= sliceLen) throw new ShapeError(`eigenproSliceDelta: Nyström index ${nys[t]} is outside the slice`);
    delta[i]! += step * c[t]!;
  }
  return { delta, batchSquaredResidual: sq };
}
