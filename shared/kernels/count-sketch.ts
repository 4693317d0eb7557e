import { ShapeError } from '../errors';
import type { Matrix } from '../tensor';

/**
 * Count sketch (Clarkson-Woodruff) of a row-scaled matrix: out (+)= weight · Sᵀ diag(scale) A with
 * S an n×width matrix that has one ±1 per row. The bucket and sign of global row r depend on
 * (seed, r) only — a counter-based hash rather than a sequential generator — so the partial
 * sketches of disjoint row blocks, each computed where its rows live, add up to the sketch of the
 * whole matrix (the reason a block carries its global row offset). One pass over A: O(nnz(A)).
 */

/** A 32-bit finalizer (lowbias32): every input bit affects every output bit. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seed for sketch block `block` of iteration `round`, from the job's seed. */
export function sketchSeed(jobSeed: number, round: number, block: number): number {
  return mix32(mix32(mix32(jobSeed >>> 0) ^ (round >>> 0)) ^ Math.imul(block + 1, 0x9e3779b9));
}

/** Bucket in [0, width) and sign ±1 of global row r under `seed`. */
export function countSketchHash(seed: number, row: number, width: number): { bucket: number; sign: 1 | -1 } {
  const h = mix32((mix32(seed >>> 0) + Math.imul(row >>> 0, 0x9e3779b9)) >>> 0);
  // Multiply-shift on the top 31 bits for the bucket; the low bit for the sign.
  return { bucket: Math.floor(((h >>> 1) / 0x80000000) * width), sign: (h & 1) === 1 ? 1 : -1 };
}

/**
 * out (width × A.cols, row-major) (+)= weight · Sᵀ diag(scale) A, where A's row i is global row
 * rowOffset + i. scale absent: all ones.
 */
export function countSketchInto(
  A: Matrix,
  scale: Float64Array | undefined,
  seed: number,
  width: number,
  rowOffset: number,
  out: Float64Array,
  weight = 1,
  accumulate = true,
): Float64Array {
  const { rows, cols, data } = A;
  if (!(Number.isInteger(width) && width >= 1)) throw new ShapeError(`countSketch: width must be a positive integer, got ${width}`);
  if (out.length !== width * cols) throw new ShapeError(`countSketch: out has ${out.length} values, expected ${width}×${cols}`);
  if (scale && scale.length !== rows) throw new ShapeError(`countSketch: scale has ${scale.length} values, the block has ${rows} rows`);
  if (!accumulate) out.fill(0);
  const s0 = mix32(seed >>> 0);
  for (let i = 0; i < rows; i++) {
    const h = mix32((s0 + Math.imul((rowOffset + i) >>> 0, 0x9e3779b9)) >>> 0);
    const bucket = Math.floor(((h >>> 1) / 0x80000000) * width);
    const c = weight * ((h & 1) === 1 ? 1 : -1) * (scale ? scale[i]! : 1);
    if (c === 0) continue;
    const src = i * cols;
    const dst = bucket * cols;
    for (let j = 0; j < cols; j++) out[dst + j]! += c * data[src + j]!;
  }
  return out;
}
