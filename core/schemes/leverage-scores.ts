import { Matrix as MlMatrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { InputError, SingularMatrixError } from '../../shared/errors';
import type { Rng } from '../../shared/random';
import { matrix } from '../../shared/tensor';
import { sampleBlocks, srhtMix } from '../sketching';

/**
 * Normalized block leverage scores Π_l = ‖U_(K_l)‖²_F / rank(A) (the paper's eq. 5): the share of
 * A's column space carried by the rows of block l. Exact from a thin QR (O(N·d²)); or approximate
 * (Drineas, Magdon-Ismail, Mahoney and Woodruff 2012) from an SRHT sketch of A, whose R factor
 * whitens A's columns, followed by a Gaussian Johnson-Lindenstrauss projection so that only
 * O(log N) columns of A·R⁻¹ are ever formed.
 */

export interface DataView {
  rows: number;
  cols: number;
  /** Row-major A. */
  A: Float64Array;
}

/** Relative size of R's smallest diagonal entry below which A is treated as rank deficient. */
const RANK_TOL = 1e-12;

/** Exact normalized block scores; blockStarts has K+1 row offsets. */
export function blockLeverageScores(data: DataView, blockStarts: readonly number[]): Float64Array {
  const rowScores = rowLeverageScores(data);
  return toBlockDistribution(rowScores, blockStarts);
}

/** Row leverage scores ℓ_i = ‖U_(i)‖² (sum to rank A). */
export function rowLeverageScores(data: DataView): Float64Array {
  const { rows, cols } = data;
  if (rows < cols) throw new InputError(`leverage scores: A is ${rows}×${cols}; need at least as many rows as columns`);
  const A = toMl(data.A, rows, cols);
  const qr = new QrDecomposition(A);
  const R = qr.upperTriangularMatrix;
  let rmax = 0;
  let rmin = Infinity;
  for (let j = 0; j < cols; j++) {
    const v = Math.abs(R.get(j, j));
    rmax = Math.max(rmax, v);
    rmin = Math.min(rmin, v);
  }
  // Unpivoted QR cannot tell the column space apart when A is rank deficient: use the SVD's
  // left singular vectors for the numerical rank instead (rare, and slower, so only then).
  const U = rmin > RANK_TOL * rmax ? qr.orthogonalMatrix : rangeBasis(A);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < U.columns; j++) s += U.get(i, j) ** 2;
    out[i] = s;
  }
  return out;
}

function rangeBasis(A: MlMatrix): MlMatrix {
  const svd = new SingularValueDecomposition(A, { computeRightSingularVectors: false });
  const rank = svd.rank;
  if (rank === 0) throw new SingularMatrixError('leverage scores: A is zero');
  return svd.leftSingularVectors.subMatrix(0, A.rows - 1, 0, rank - 1);
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
