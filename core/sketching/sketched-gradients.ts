import { lsGradient } from '../../shared/kernels';
import type { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { sampleBlocks, srhtMix } from './block-srht';
import type { Sketched } from './types';

/**
 * Gradient oracles for the leverage paper's Table I: one call draws one fresh sketch S (iterative
 * sketching) and returns (SA)ᵀ(SAx − Sb) for each of several iterates x, or the exact Aᵀ(Ax − b)
 * for regular SD. Several iterates share a sketch so that runs differing only in step size see the
 * same random sketches (common random numbers: the comparison between step sizes is not blurred
 * by sketch noise, and the expensive Gaussian draw is paid once). The caller applies the paper's
 * factor 2 and the step.
 */
export type BatchGradientOracle = (xs: readonly Float64Array[], outs: Float64Array[]) => void;

export function exactGradientOracle(A: Matrix, b: Float64Array): BatchGradientOracle {
  return (xs, outs) => xs.forEach((x, i) => lsGradient(A, b, x, outs[i]!));
}

/**
 * A fresh Gaussian sketch S = Θ/√r per call, applied as Aᵀ·Sᵀ·S·(Ax − b): the same vector as
 * (SA)ᵀ(SAx − Sb) at O(r·N) per iterate instead of O(r·N·d). Θ (r×N) is still drawn in full each
 * call, which is what makes this comparator expensive.
 */
export function gaussianGradientOracle(A: Matrix, b: Float64Array, r: number, rng: Rng): BatchGradientOracle {
  const { rows: N, cols: d, data } = A;
  const S = new Float64Array(r * N);
  const e = new Float64Array(N);
  const w = new Float64Array(r);
  const s = 1 / Math.sqrt(r);
  return (xs, outs) => {
    fillNormals(rng, S, s);
    xs.forEach((x, which) => {
      const out = outs[which]!;
      for (let i = 0; i < N; i++) {
        let v = -b[i]!;
        for (let c = 0; c < d; c++) v += data[i * d + c]! * x[c]!;
        e[i] = v;
      }
      for (let k = 0; k < r; k++) {
        let v = 0;
        const o = k * N;
        for (let i = 0; i < N; i++) v += S[o + i]! * e[i]!;
        w[k] = v;
      }
      e.fill(0); // e ← Sᵀw, then out = Aᵀe
      for (let k = 0; k < r; k++) {
        const wk = w[k]!;
        const o = k * N;
        for (let i = 0; i < N; i++) e[i]! += S[o + i]! * wk;
      }
      out.fill(0);
      for (let i = 0; i < N; i++) {
        const ei = e[i]!;
        for (let c = 0; c < d; c++) out[c]! += ei * data[i * d + c]!;
      }
    });
  };
}

/**
 * Iterative block-SRHT: the mixing H·D is applied once (the coded data a cluster would store) and
 * q blocks of τ mixed rows are drawn afresh per call.
 */
export function blockSrhtGradientOracle(A: Matrix, b: Float64Array, tau: number, q: number, rng: Rng): BatchGradientOracle {
  const mixed: Sketched = srhtMix(A, b, rng);
  return (xs, outs) => {
    const { SA, Sb } = sampleBlocks(mixed, tau, q, rng);
    xs.forEach((x, i) => lsGradient(SA, Sb, x, outs[i]!));
  };
}

/**
 * out[i] = scale·N(0, 1) by Box-Muller on 32-bit uniforms: two normals per two draws of the seeded
 * generator, about 3× faster than Rng.normal's 53-bit polar method, which matters when a Gaussian
 * sketch needs r·N normals per iteration. 32 bits of uniform are ample for a sketch.
 */
export function fillNormals(rng: Rng, out: Float64Array, scale = 1): void {
  const TWO32 = 4294967296;
  for (let i = 0; i < out.length; i += 2) {
    const u1 = (rng.nextUint32() + 0.5) / TWO32;
    const u2 = rng.nextUint32() / TWO32;
    const rad = scale * Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * u2;
    out[i] = rad * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = rad * Math.sin(th);
  }
}
