import type { AsyncLinalg } from '../shared/linalg';
import type { Matrix } from '../shared/tensor';
import { rowScoresFromQ } from '../core/schemes/leverage-scores';
import type { SchemeChoice } from '../core/schemes';

/**
 * Row leverage scores ℓᵢ = Σ_{j<rank} Q[i,j]² of A, from the QR with column pivoting on the
 * master's linear-algebra thread (LAPACK dgeqp3 + dorgqr), for a scheme whose plan reads them
 * (the leverage scheme's exact scores): the plan stays pure and synchronous, the O(N·d²) QR
 * never runs on the event loop. The sum over Q's rows (O(N·rank)) runs here in slices, yielding
 * between them. Kept per A: several plans of one job (a showdown's schemes, re-plans) share it.
 */
const cache = new WeakMap<Float64Array, Promise<Float64Array>>();

/** Rows of Q summed between yields (about a millisecond at rank 1000). */
const ROWS_PER_SLICE = 4096;

export function rowLeverageScoresOn(la: AsyncLinalg, A: Matrix): Promise<Float64Array> {
  let scores = cache.get(A.data);
  if (!scores) {
    scores = compute(la, A);
    cache.set(A.data, scores);
    // A failure is the caller's; the next caller tries again.
    scores.catch(() => cache.delete(A.data));
  }
  return scores;
}

async function compute(la: AsyncLinalg, A: Matrix): Promise<Float64Array> {
  const { Q, rank } = await la.qr(A);
  const out = new Float64Array(A.rows);
  const slice = Math.max(1, Math.floor((ROWS_PER_SLICE * 1000) / Math.max(1, rank)));
  for (let from = 0; from < A.rows; from += slice) {
    rowScoresFromQ(Q!, rank, out, from, Math.min(A.rows, from + slice));
    if (from + slice < A.rows) await new Promise((r) => setImmediate(r));
  }
  return out;
}

/**
 * What a plan of a scheme that needs the data (Scheme.needsData) reads besides the shape: A, with its row
 * leverage scores computed on the thread when the scheme reads them.
 */
export async function planDataFor(
  la: AsyncLinalg,
  scheme: Pick<SchemeChoice, 'needsRowLeverageScores'>,
  A: Matrix,
): Promise<{ rows: number; cols: number; A: Float64Array; rowLeverageScores?: Float64Array }> {
  const data = { rows: A.rows, cols: A.cols, A: A.data };
  return scheme.needsRowLeverageScores ? { ...data, rowLeverageScores: await rowLeverageScoresOn(la, A) } : data;
}
