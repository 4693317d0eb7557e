import { Matrix as MlMatrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { InputError } from '../../shared/errors';
import type { Rng } from '../../shared/random';

/**
 * The real systematic (n, k) MDS code behind the mds scheme: generator [I_k; P], P a p×k parity
 * matrix (p = n − k). Decoding from k survivors that include m parities and miss m systematic
 * blocks M solves the m×m system P[parities, M]; its condition number bounds the error growth.
 *
 * Why not Vandermonde: real Vandermonde matrices have condition numbers exponential in their size,
 * so the textbook Reed-Solomon construction loses all digits past k ≈ 20. Gaussian parities have
 * every square submatrix nonsingular with probability one and condition numbers that grow only
 * polynomially in m. We do not trust "probably": when the survivor sets are few (C(n, k) ≤
 * MAX_PATTERNS) the worst case over EVERY one is computed when the code is built; beyond, the
 * worst over SAMPLED_SETS seeded survivor sets (half of them missing as many systematic blocks as
 * there are parities, where conditioning is worst), so (60, 50) and larger codes are usable with
 * their worst condition found reported beside how it was found. The best of a few seeded
 * candidates is kept.
 */

/** Survivor sets up to which every one is checked at plan time; beyond, SAMPLED_SETS are. */
export const MAX_PATTERNS = 50_000;
/** Survivor sets sampled (seeded) when there are more than MAX_PATTERNS. */
export const SAMPLED_SETS = 4_000;
/** A code whose worst pattern loses more than ~8 of 16 digits is refused. */
export const MAX_CONDITION = 1e8;
const CANDIDATES = 8;

export interface MdsCode {
  k: number;
  n: number;
  /** p×k row-major parity coefficients: stored block k+i = Σ_j parity[i·k + j]·(data block j). */
  parity: Float64Array;
  /** max over the survivor sets checked of the condition number of the system decoding uses (1: none). */
  worstCondition: number;
  /** How the survivor sets were checked: every one, or a seeded sample of this many. */
  verified: { sets: 'all'; count: number } | { sets: 'sampled'; count: number; of: number };
}

export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - i + 1)) / i;
  return Math.round(c);
}

/** Builds the code for (n, k): the best-conditioned of a few seeded Gaussian candidates. */
export function buildMdsCode(n: number, k: number, rng: Rng): MdsCode {
  if (!(k >= 1 && n > k)) throw new InputError(`scheme mds: needs 1 ≤ k < n, got n = ${n}, k = ${k}`);
  const patterns = binomial(n, k);
  const p = n - k;
  const sampled = patterns > MAX_PATTERNS;
  const verified: MdsCode['verified'] = sampled ? { sets: 'sampled', count: SAMPLED_SETS, of: patterns } : { sets: 'all', count: patterns };
  let best: MdsCode | undefined;
  for (let c = 0; c < CANDIDATES; c++) {
    const parity = Float64Array.from({ length: p * k }, () => rng.normal());
    const bail = best?.worstCondition ?? Infinity;
    // The same sampled sets for every candidate, so their worst cases compare.
    const worst = sampled ? sampledWorstCondition(parity, p, k, rng.fork(1000), SAMPLED_SETS, bail) : worstCaseCondition(parity, p, k, bail);
    if (best === undefined || worst < best.worstCondition) best = { k, n, parity, worstCondition: worst, verified };
  }
  if (!(best!.worstCondition <= MAX_CONDITION)) {
    throw new InputError(
      `scheme mds: no well-conditioned code found for (n, k) = (${n}, ${k}) (worst condition ${best!.worstCondition.toExponential(2)} over ` +
        `${sampled ? `${SAMPLED_SETS} sampled` : 'every one'} of its ${patterns} survivor sets; at most ${MAX_CONDITION.toExponential(0)}): use fewer parities or the product-code scheme`,
    );
  }
  return best!;
}

/**
 * The worst condition over `samples` seeded survivor sets: each misses m systematic blocks and
 * uses m parities, m = min(p, k) for half of them (the largest systems, where conditioning is
 * worst) and uniform in 1..min(p, k) for the rest. Gives up (Infinity) past `bail`.
 */
export function sampledWorstCondition(parity: Float64Array, p: number, k: number, rng: Rng, samples: number, bail = Infinity): number {
  const top = Math.min(p, k);
  let worst = 1;
  for (let i = 0; i < samples; i++) {
    const m = i % 2 === 0 ? top : 1 + Math.floor(rng.uniform() * top);
    const rows = [...rng.permutation(p).subarray(0, m)].sort((a, b) => a - b);
    const cols = [...rng.permutation(k).subarray(0, m)].sort((a, b) => a - b);
    const c = conditionOf(subMatrix(parity, k, rows, cols));
    if (c > worst) worst = c;
    if (worst > bail) return Infinity;
  }
  return worst;
}

/**
 * max over every m ≥ 1, every m-set of parities and every m-set of systematic blocks of
 * cond(P[parities, blocks]); gives up (returns Infinity) as soon as it exceeds `bail`.
 */
export function worstCaseCondition(parity: Float64Array, p: number, k: number, bail = Infinity): number {
  let worst = 1;
  for (let m = 1; m <= Math.min(p, k); m++) {
    for (const rows of combinations(p, m)) {
      for (const cols of combinations(k, m)) {
        const c = conditionOf(subMatrix(parity, k, rows, cols));
        if (c > worst) worst = c;
        if (worst > bail) return Infinity;
      }
    }
  }
  return worst;
}

function subMatrix(parity: Float64Array, k: number, rows: readonly number[], cols: readonly number[]): number[][] {
  return rows.map((r) => cols.map((c) => parity[r * k + c]!));
}

function conditionOf(m: number[][]): number {
  if (m.length === 1) return m[0]![0] === 0 ? Infinity : 1;
  const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: false });
  const s = svd.diagonal;
  const lo = Math.min(...s);
  return lo === 0 ? Infinity : Math.max(...s) / lo;
}

/**
 * Recovers the missing systematic products from the arrived ones.
 * known: per systematic block j, its product (length tau) or undefined when missing;
 * parities: the arrived parity products, as [parity index, product]; exactly as many as missing.
 * Solves P[parities, missing]·Y = y_parity − Σ_known P[parity, j]·y_j by Householder QR
 * (backward stable), all tau right-hand sides at once.
 */
export function recoverMissing(
  code: MdsCode,
  known: (Float64Array | undefined)[],
  parities: [number, Float64Array][],
  tau: number,
): Map<number, Float64Array> {
  const { k, parity } = code;
  const missing: number[] = [];
  for (let j = 0; j < k; j++) if (known[j] === undefined) missing.push(j);
  const out = new Map<number, Float64Array>();
  if (missing.length === 0) return out;
  if (parities.length !== missing.length) {
    throw new Error(`mds decode: ${missing.length} blocks missing but ${parities.length} parities given`);
  }
  const m = missing.length;
  const B = new MlMatrix(m, m);
  const R = new MlMatrix(m, tau);
  parities.forEach(([pi, y], row) => {
    missing.forEach((j, col) => B.set(row, col, parity[pi * k + j]!));
    const rhs = Float64Array.from(y);
    for (let j = 0; j < k; j++) {
      const yj = known[j];
      if (yj === undefined) continue;
      const c = parity[pi * k + j]!;
      for (let t = 0; t < tau; t++) rhs[t]! -= c * yj[t]!;
    }
    for (let t = 0; t < tau; t++) R.set(row, t, rhs[t]!);
  });
  const Y = new QrDecomposition(B).solve(R);
  missing.forEach((j, row) => out.set(j, Float64Array.from(Y.getRow(row))));
  return out;
}

/** Every m-subset of 0..n-1 in lexicographic order. */
export function* combinations(n: number, m: number): Generator<number[]> {
  if (m > n || m < 0) return;
  const c = Array.from({ length: m }, (_, i) => i);
  for (;;) {
    yield c.slice();
    let i = m - 1;
    while (i >= 0 && c[i] === n - m + i) i--;
    if (i < 0) return;
    c[i]!++;
    for (let j = i + 1; j < m; j++) c[j] = c[j - 1]! + 1;
  }
}
