import { ShapeError } from '../../shared/errors';
import type { Rng } from '../../shared/random';
import { matrix, type Matrix } from '../../shared/tensor';
import { fwhtRows, nextPowerOfTwo } from './fwht';
import type { Sketched } from './types';

/**
 * Block subsampled randomized Hadamard transform (block-SRHT): S = √(K′/q)·Ω·(H/√N′)·D·Pad, where
 * D flips row signs at random, Pad appends zero rows up to N′ = 2^⌈log₂N⌉, H/√N′ is the orthonormal
 * Hadamard transform, and Ω samples q of the K′ = ⌈N′/τ⌉ blocks of τ consecutive rows uniformly
 * with replacement (the last block may be shorter). Mixing first spreads the leverage evenly across
 * blocks, so uniform block sampling is then nearly as good as leverage sampling; E[SᵀS] = I_N.
 *
 * Split in two so the transform can be applied once (the coded data a cluster would store) and
 * only the sampling redrawn per iteration (an iterative sketch): `srhtMix` then `sampleBlocks`.
 */

/** (H/√N′)·D·Pad applied to [A b]: an N′×d mixed matrix and its right-hand side. */
export function srhtMix(A: Matrix, b: Float64Array, rng: Rng): Sketched {
  if (b.length !== A.rows) throw new ShapeError(`srhtMix: A has ${A.rows} rows, b has ${b.length}`);
  const { rows: N, cols: d } = A;
  const n2 = nextPowerOfTwo(N);
  // Transform A and b together as one N′×(d+1) matrix: one pass of butterflies instead of two.
  const w = d + 1;
  const M = new Float64Array(n2 * w);
  for (let i = 0; i < N; i++) {
    const sign = rng.uniform() < 0.5 ? -1 : 1;
    for (let c = 0; c < d; c++) M[i * w + c] = sign * A.data[i * d + c]!;
    M[i * w + d] = sign * b[i]!;
  }
  fwhtRows(M, n2, w, 1 / Math.sqrt(n2));
  const HA = new Float64Array(n2 * d);
  const Hb = new Float64Array(n2);
  for (let i = 0; i < n2; i++) {
    for (let c = 0; c < d; c++) HA[i * d + c] = M[i * w + c]!;
    Hb[i] = M[i * w + d]!;
  }
  return { SA: matrix(n2, d, HA), Sb: Hb };
}

/**
 * Ω with rescaling: q blocks of `tau` consecutive rows drawn uniformly with replacement from the
 * ⌈rows/tau⌉ blocks of (A, b), each scaled by √(K′/q) so E[(ΩA)ᵀ(ΩA)] = AᵀA.
 */
export function sampleBlocks(mixed: Sketched, tau: number, q: number, rng: Rng): Sketched {
  const { SA: A, Sb: b } = mixed;
  if (!Number.isInteger(tau) || tau < 1 || !Number.isInteger(q) || q < 1) {
    throw new ShapeError(`sampleBlocks: block rows and samples must be positive integers, got ${tau} and ${q}`);
  }
  const Kp = Math.ceil(A.rows / tau);
  const picks = Array.from({ length: q }, () => rng.int(Kp));
  const rowsOf = (j: number): number => Math.min(tau, A.rows - j * tau);
  const total = picks.reduce((s, j) => s + rowsOf(j), 0);
  const d = A.cols;
  const SA = new Float64Array(total * d);
  const Sb = new Float64Array(total);
  const s = Math.sqrt(Kp / q);
  let at = 0;
  for (const j of picks) {
    const start = j * tau;
    const n = rowsOf(j);
    for (let i = 0; i < n; i++) {
      const src = (start + i) * d;
      const dst = (at + i) * d;
      for (let c = 0; c < d; c++) SA[dst + c] = s * A.data[src + c]!;
      Sb[at + i] = s * b[start + i]!;
    }
    at += n;
  }
  return { SA: matrix(total, d, SA), Sb };
}

/** A fresh block-SRHT of (A, b): new signs and new block samples. */
export function blockSrht(A: Matrix, b: Float64Array, tau: number, q: number, rng: Rng): Sketched {
  return sampleBlocks(srhtMix(A, b, rng), tau, q, rng);
}
