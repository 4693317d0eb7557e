import { Matrix as MlMatrix, QrDecomposition } from 'ml-matrix';
import { InputError, SingularMatrixError } from '../../shared/errors';
import { jsLinalg } from '../../shared/linalg/js-linalg';
import type { Rng } from '../../shared/random';
import { matrix, type Matrix } from '../../shared/tensor';
import { sampleBlocks, srhtMix } from '../sketching';

/**
 * Normalized block leverage scores Π_l = ‖U_(K_l)‖²_F / rank(A) (the paper's eq. 5): the share of
 * A's column space carried by the rows of block l. Exact from a pivoted QR (O(N·d²)); or approximate
 * (Drineas, Magdon-Ismail, Mahoney and Woodruff 2012) from an SRHT sketch of A, whose R factor
 * whitens A's columns, followed by a Gaussian Johnson-Lindenstrauss projection so that only
 * O(log N) columns of A·R⁻¹ are ever formed.
 */

export interface DataView {
  rows: number;
  cols: number;
  /** Row-major A. */
  A: Float64Array;
  /** ℓᵢ of A's rows when the caller computed them already (off the event loop): used as they are. */
  rowLeverageScores?: Float64Array;
}

/** Relative size of R's smallest diagonal entry below which A is treated as rank deficient. */
const RANK_TOL = 1e-12;

/** Exact normalized block scores; blockStarts has K+1 row offsets. */
export function blockLeverageScores(data: DataView, blockStarts: readonly number[]): Float64Array {
  const rowScores = data.rowLeverageScores ?? rowLeverageScores(data);
  if (rowScores.length !== data.rows) throw new InputError(`leverage scores: ${rowScores.length} row scores for ${data.rows} rows`);
  return toBlockDistribution(rowScores, blockStarts);
}

/**
 * Row leverage scores ℓ_i = ‖U_(i)‖² (sum to rank A), from the QR of A with column pivoting:
 * the first rank(A) columns of Q span A's column space, rank deficient or not. Here on the
 * plain-loop backend, on the caller's thread: a job computes them on the master's LAPACK thread
 * instead (algorithms/row-leverage-scores.ts) and passes them in DataView.rowLeverageScores.
 */
export function rowLeverageScores(data: DataView): Float64Array {
  const { rows, cols } = data;
  if (rows < cols) throw new InputError(`leverage scores: A is ${rows}×${cols}; need at least as many rows as columns`);
  const { Q, rank } = jsLinalg.qr({ rows, cols, data: data.A });
  return rowScoresFromQ(Q!, rank);
}

/** ℓ_i = Σ_{j<rank} Q[i,j]² for rows [from, to) of Q (into `out`, allocated when absent). */
export function rowScoresFromQ(Q: Matrix, rank: number, out = new Float64Array(Q.rows), from = 0, to = Q.rows): Float64Array {
  if (rank === 0) throw new SingularMatrixError('leverage scores: A is zero');
  const k = Q.cols;
  for (let i = from; i < to; i++) {
    let s = 0;
    for (let j = 0; j < rank; j++) s += Q.data[i * k + j]! ** 2;
    out[i] = s;
  }
  return out;
}

export interface ApproximateOptions {
  /** Rows of the SRHT sketch whose R factor whitens A (≥ d; default 4d, at most the padded rows). */
  sketchRows?: number;
  /** Columns of the JL projection (default ⌈8 ln N⌉). */
  projection?: number;
}

/** Approximate normalized block scores: relative-error estimates at O(N·d·log N) cost. */
export function approximateBlockLeverageScores(
  data: DataView,
  blockStarts: readonly number[],
  rng: Rng,
  options: ApproximateOptions = {},
): Float64Array {
  const { rows: N, cols: d } = data;
  const A = matrix(N, d, data.A);
  const mixed = srhtMix(A, new Float64Array(N), rng);
  const r1 = Math.min(mixed.SA.rows, Math.max(d, options.sketchRows ?? 4 * d));
  // Rows sampled one at a time (block size 1): an ordinary SRHT of r1 rows.
  const SA = sampleBlocks(mixed, 1, r1, rng).SA;
  const R = new QrDecomposition(toMl(SA.data, SA.rows, d)).upperTriangularMatrix;
  for (let j = 0; j < d; j++) {
    if (Math.abs(R.get(j, j)) <= RANK_TOL * Math.abs(R.get(0, 0))) {
      throw new SingularMatrixError('approximate leverage scores: the sketch of A is rank deficient; use exact scores');
    }
  }
  // Z = R⁻¹·G/√k by back substitution, G a d×k Gaussian: ‖A_(i)Z‖² estimates ‖A_(i)R⁻¹‖² = ℓ_i.
  const k = options.projection ?? Math.ceil(8 * Math.log(Math.max(N, 2)));
  const Z = new Float64Array(d * k);
  for (let c = 0; c < k; c++) {
    for (let i = d - 1; i >= 0; i--) {
      let s = rng.normal() / Math.sqrt(k);
      for (let j = i + 1; j < d; j++) s -= R.get(i, j) * Z[j * k + c]!;
      Z[i * k + c] = s / R.get(i, i);
    }
  }
  const rowScores = new Float64Array(N);
  const tmp = new Float64Array(k);
  for (let i = 0; i < N; i++) {
    tmp.fill(0);
    for (let j = 0; j < d; j++) {
      const a = data.A[i * d + j]!;
      if (a === 0) continue;
      for (let c = 0; c < k; c++) tmp[c]! += a * Z[j * k + c]!;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += tmp[c]! * tmp[c]!;
    rowScores[i] = s;
  }
  return toBlockDistribution(rowScores, blockStarts);
}

/** Sums row scores per block and normalizes to a distribution. */
export function toBlockDistribution(rowScores: Float64Array, blockStarts: readonly number[]): Float64Array {
  const K = blockStarts.length - 1;
  if (blockStarts[K] !== rowScores.length) {
    throw new InputError(`leverage scores: blocks cover ${blockStarts[K]} rows but A has ${rowScores.length}`);
  }
  const out = new Float64Array(K);
  let total = 0;
  for (let l = 0; l < K; l++) {
    let s = 0;
    for (let i = blockStarts[l]!; i < blockStarts[l + 1]!; i++) s += rowScores[i]!;
    out[l] = s;
    total += s;
  }
  if (!(total > 0)) throw new SingularMatrixError('leverage scores: A is zero');
  for (let l = 0; l < K; l++) out[l]! /= total;
  return out;
}

function toMl(data: Float64Array, rows: number, cols: number): MlMatrix {
  const m = new MlMatrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, data[i * cols + j]!);
  return m;
}
