/**
 * Test helpers for schemes: materialize a plan's stored blocks from real data and compute what a
 * worker would return for each slot, so decoders are checked against the real kernels; plus
 * subset enumeration for the brute-force straggler tests.
 */
import { lsGradient, matVec } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix, rowSlice, type Matrix } from '../../../shared/tensor';
import type { Plan } from '../../../core/schemes';

export interface Problem {
  A: Matrix;
  b: Float64Array;
  x: Float64Array;
  blockStarts: number[];
}

/** A random problem with K blocks of `tau` rows (Student-t entries when nu is given). */
export function randomProblem(seed: number, K: number, tau: number, d: number, nu?: number): Problem {
  const rng = new Rng(seed);
  const rows = K * tau;
  const draw = (): number => (nu === undefined ? rng.normal() : rng.studentT(nu));
  const A = matrix(rows, d, Float64Array.from({ length: rows * d }, draw));
  const b = Float64Array.from({ length: rows }, () => rng.normal());
  const x = Float64Array.from({ length: d }, () => rng.normal());
  return { A, b, x, blockStarts: Array.from({ length: K + 1 }, (_, j) => j * tau) };
}

export function blockRows(p: Problem): number[] {
  return p.blockStarts.slice(1).map((e, j) => e - p.blockStarts[j]!);
}

/** Stored block s of the plan as (A_s, b_s) = Σ coef·(A_j, b_j). */
export function storedBlocks(plan: Plan, p: Problem): { A: Matrix; b: Float64Array }[] {
  return plan.stored.map(({ terms }) => {
    const rows = p.blockStarts[terms[0]!.block + 1]! - p.blockStarts[terms[0]!.block]!;
    const A = new Float64Array(rows * p.A.cols);
    const b = new Float64Array(rows);
    for (const { block, coef } of terms) {
      const start = p.blockStarts[block]!;
      const Aj = rowSlice(p.A, start, start + rows);
      for (let i = 0; i < A.length; i++) A[i]! += coef * Aj.data[i]!;
      for (let i = 0; i < rows; i++) b[i]! += coef * p.b[start + i]!;
    }
    return { A: matrix(rows, p.A.cols, A), b };
  });
}

/** What each slot's worker returns for the task kind. */
export function slotResults(plan: Plan, p: Problem, kind: 'lsGradient' | 'matvec'): Float64Array[] {
  const stored = storedBlocks(plan, p);
  return plan.slots.map((slot) => {
    const rows = stored[slot.blocks[0]!.stored]!.A.rows;
    const out = new Float64Array(kind === 'lsGradient' ? p.A.cols : rows);
    for (const { stored: s, weight } of slot.blocks) {
      const blk = stored[s]!;
      if (kind === 'lsGradient') lsGradient(blk.A, blk.b, p.x, out, weight, true);
      else matVec(blk.A, p.x, out, weight, true);
    }
    return out;
  });
}

/** The exact answers: the full gradient Aᵀ(Ax − b), and Ax. */
export function exactGradient(p: Problem): Float64Array {
  return lsGradient(p.A, p.b, p.x, new Float64Array(p.A.cols));
}

export function exactMatVec(p: Problem): Float64Array {
  return matVec(p.A, p.x, new Float64Array(p.A.rows));
}

/** Every subset of 0..n-1, as bit masks, with its members in a seeded random arrival order. */
export function* subsets(n: number, seed = 1): Generator<number[]> {
  const rng = new Rng(seed);
  for (let mask = 0; mask < 1 << n; mask++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) members.push(i);
    const order = rng.permutation(members.length);
    yield Array.from(order, (k) => members[k]!);
  }
}

/** Every k-subset of 0..n-1 (lexicographic). */
export function* combinations(n: number, k: number): Generator<number[]> {
  const c = Array.from({ length: k }, (_, i) => i);
  if (k > n) return;
  for (;;) {
    yield c.slice();
    let i = k - 1;
    while (i >= 0 && c[i] === n - k + i) i--;
    if (i < 0) return;
    c[i]!++;
    for (let j = i + 1; j < k; j++) c[j] = c[j - 1]! + 1;
  }
}
