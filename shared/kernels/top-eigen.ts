import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { ShapeError } from '../errors';
import { Rng } from '../random';

/**
 * The top-k eigenpairs of a symmetric positive semidefinite s×s matrix by randomized subspace
 * iteration (Halko, Martinsson & Tropp 2011, Alg. 4.4 + Rayleigh–Ritz): a block of k + p random
 * vectors, multiplied by S and re-orthonormalized until the top k Ritz values settle, then the
 * small (k+p)×(k+p) projected problem is solved exactly. Costs O(s²(k+p)) per iteration instead
 * of the O(s³) full decomposition (about 10 s for s = 1000 with ml-matrix here); kernel matrices'
 * fast-decaying spectra make a few iterations enough.
 */
export interface TopEigen {
  /** Descending eigenvalues, k of them. */
  values: Float64Array;
  /** Eigenvectors as columns: s×k row-major. */
  vectors: Float64Array;
  s: number;
  k: number;
  /** Subspace iterations run. */
  iterations: number;
}

export interface TopEigenOptions {
  /** Extra vectors in the block (oversampling); default max(10, k/2). */
  oversample?: number;
  maxIterations?: number;
  /** Stop when the top k Ritz values change by less than this relative amount; default 1e-9. */
  tol?: number;
  seed?: number;
}

/** Z = S Q for S s×s and Q s×l, both row-major. */
function symTimesBlock(S: Float64Array, s: number, Q: Float64Array, l: number, Z: Float64Array): void {
  Z.fill(0);
  for (let i = 0; i < s; i++) {
    const zo = i * l;
    const so = i * s;
    for (let t = 0; t < s; t++) {
      const a = S[so + t]!;
      if (a === 0) continue;
      const qo = t * l;
      for (let j = 0; j < l; j++) Z[zo + j]! += a * Q[qo + j]!;
    }
  }
}

/** Orthonormalizes the l columns of Q (s×l row-major) in place: modified Gram–Schmidt, twice. */
function orthonormalizeColumns(Q: Float64Array, s: number, l: number, rng: Rng): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < l; j++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < s; r++) d += Q[r * l + i]! * Q[r * l + j]!;
        for (let r = 0; r < s; r++) Q[r * l + j]! -= d * Q[r * l + i]!;
      }
      let nrm = 0;
      for (let r = 0; r < s; r++) nrm += Q[r * l + j]! ** 2;
      nrm = Math.sqrt(nrm);
      if (nrm < 1e-300) {
        // A rank-deficient block (S has rank < l): replace the column by a fresh random one.
        for (let r = 0; r < s; r++) Q[r * l + j] = rng.normal();
        j--;
        continue;
      }
      for (let r = 0; r < s; r++) Q[r * l + j]! /= nrm;
    }
  }
}

export function topEigen(S: Float64Array, s: number, k: number, opts: TopEigenOptions = {}): TopEigen {
  if (S.length !== s * s) throw new ShapeError(`topEigen: matrix has ${S.length} values, s = ${s} needs ${s * s}`);
  if (!Number.isInteger(k) || k < 1 || k > s) throw new ShapeError(`topEigen: k = ${k} must be in [1, ${s}]`);
  // Oversampling by half the block speeds convergence like (σ_{l+1}/σ_k)^iterations.
  const l = Math.min(s, k + (opts.oversample ?? Math.max(10, Math.ceil(k / 2))));
  const maxIt = opts.maxIterations ?? 40;
  const tol = opts.tol ?? 1e-9;
  const rng = new Rng(opts.seed ?? 1);
  const Q = new Float64Array(s * l);
  for (let i = 0; i < Q.length; i++) Q[i] = rng.normal();
  orthonormalizeColumns(Q, s, l, rng);
  const Z = new Float64Array(s * l);
  let prev: Float64Array | undefined;
  let ritz: { values: Float64Array; V: Float64Array } = { values: new Float64Array(l), V: new Float64Array(l * l) };
  let it = 0;
  while (it < maxIt) {
    it++;
    symTimesBlock(S, s, Q, l, Z);
    ritz = rayleighRitz(Q, Z, s, l);
    let settled = prev !== undefined;
    for (let i = 0; i < k && prev; i++) {
      if (Math.abs(ritz.values[i]! - prev[i]!) > tol * Math.max(Math.abs(ritz.values[0]!), 1e-300)) settled = false;
    }
    if (settled) break;
    prev = Float64Array.from(ritz.values);
    Q.set(Z);
    orthonormalizeColumns(Q, s, l, rng);
  }
  // Ritz vectors: Q V (first k columns of V, already ordered by descending value).
  const vectors = new Float64Array(s * k);
  for (let r = 0; r < s; r++) {
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let t = 0; t < l; t++) v += Q[r * l + t]! * ritz.V[t * l + j]!;
      vectors[r * k + j] = v;
    }
  }
  return { values: ritz.values.slice(0, k), vectors, s, k, iterations: it };
}

/** B = Qᵀ(SQ) = QᵀZ (l×l, symmetrized), eigendecomposed; values descending, V's columns to match. */
function rayleighRitz(Q: Float64Array, Z: Float64Array, s: number, l: number): { values: Float64Array; V: Float64Array } {
  const B = new Float64Array(l * l);
  for (let r = 0; r < s; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const q = Q[o + i]!;
      for (let j = 0; j < l; j++) B[i * l + j]! += q * Z[o + j]!;
    }
  }
  const rows: number[][] = [];
  for (let i = 0; i < l; i++) {
    const row: number[] = [];
    for (let j = 0; j < l; j++) row.push(0.5 * (B[i * l + j]! + B[j * l + i]!));
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[b]! - vals[a]!);
  const values = new Float64Array(l);
  const V = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = vals[src]!;
    for (let t = 0; t < l; t++) V[t * l + dst] = vecs.get(t, src);
  });
  return { values, V };
}
