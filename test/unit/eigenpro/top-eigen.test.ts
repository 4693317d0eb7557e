import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix as Ml } from 'ml-matrix';
import { applyPreconditioner, eigenproPreconditioner, kernelMatrix, kernelRows, topEigen } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';

function points(n: number, d: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { rows: n, cols: d, data: Float64Array.from({ length: n * d }, () => rng.normal()) };
}

function fullEigen(S: Float64Array, s: number): { values: number[]; vectors: Ml } {
  const rows = Array.from({ length: s }, (_, i) => Array.from(S.subarray(i * s, (i + 1) * s)));
  const e = new EigenvalueDecomposition(new Ml(rows), { assumeSymmetric: true });
  const order = e.realEigenvalues.map((_, i) => i).sort((a, b) => e.realEigenvalues[b]! - e.realEigenvalues[a]!);
  return { values: order.map((i) => e.realEigenvalues[i]!), vectors: e.eigenvectorMatrix.subMatrixColumn(order) };
}

describe('kernel rows', () => {
  it('match the definitions entry by entry', () => {
    const P = points(7, 4, 1);
    const C = points(9, 4, 2);
    for (const [name, f] of [
      ['gaussian', (d2: number) => Math.exp(-d2 / (2 * 1.5 * 1.5))],
      ['laplacian', (d2: number) => Math.exp(-Math.sqrt(d2) / 1.5)],
    ] as const) {
      const K = kernelRows({ name, bandwidth: 1.5 }, P, [0, 3, 6], C);
      const naive: number[] = [];
      for (const i of [0, 3, 6]) {
        for (let j = 0; j < 9; j++) {
          let d2 = 0;
          for (let t = 0; t < 4; t++) d2 += (P.data[i * 4 + t]! - C.data[j * 4 + t]!) ** 2;
          naive.push(f(d2));
        }
      }
      expectClose(K, naive, { rtol: 1e-12, atol: 1e-14 });
    }
  });
});

describe('topEigen (randomized subspace iteration)', () => {
  it('finds the top q eigenpairs of a kernel matrix like the full decomposition', () => {
    const s = 150;
    const q = 12;
    for (const name of ['gaussian', 'laplacian'] as const) {
      const X = points(s, 5, 3);
      const K = kernelMatrix({ name, bandwidth: 2 }, X, X);
      const full = fullEigen(K, s);
      const top = topEigen(K, s, q + 1, { seed: 5 });
      expectClose(top.values, full.values.slice(0, q + 1), { rtol: 1e-7, atol: 1e-10 });
      // Eigenvectors up to sign, for the well-separated top q: |<v, v_full>| = 1.
      for (let j = 0; j < q; j++) {
        let dot = 0;
        for (let r = 0; r < s; r++) dot += top.vectors[r * (q + 1) + j]! * full.vectors.get(r, j);
        expect(Math.abs(Math.abs(dot) - 1), `${name} eigenvector ${j}`).toBeLessThan(1e-5);
      }
    }
  });

  it('survives a rank-deficient matrix (more vectors than the rank)', () => {
    const s = 40;
    const u = Float64Array.from({ length: s }, (_, i) => Math.sin(i + 1));
    const S = new Float64Array(s * s);
    for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) S[i * s + j] = u[i]! * u[j]!;
    const top = topEigen(S, s, 3);
    expect(top.values[0]).toBeCloseTo(u.reduce((a, v) => a + v * v, 0), 8);
    expect(Math.abs(top.values[1]!)).toBeLessThan(1e-8);
  });
});

describe('EigenPro preconditioner (eq. 12)', () => {
  it('flattens the top q eigenvalues of K(nys, nys) to σ_{q+1} (Lemma 2)', () => {
    const s = 100;
    const q = 8;
    const X = points(s, 4, 7);
    const K = kernelMatrix({ name: 'laplacian', bandwidth: 2 }, X, X);
    const top = topEigen(K, s, q + 1, { seed: 2 });
    const M = eigenproPreconditioner(top, q);
    const full = fullEigen(K, s);
    // (I − M K) e_i = (σ_{q+1}/σ_i) e_i for i ≤ q, and e_j for j > q.
    for (const i of [0, 3, q - 1, q + 3, 40]) {
      const e = Float64Array.from({ length: s }, (_, r) => full.vectors.get(r, i));
      const Ke = new Float64Array(s);
      for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) Ke[r]! += K[r * s + c]! * e[c]!;
      const MKe = applyPreconditioner(M, Ke);
      const Pe = e.map((v, r) => v - MKe[r]!);
      const expected = i < q ? full.values[q]! / full.values[i]! : 1;
      // Ritz vectors converge like the square root of the values; the preconditioner needs no more.
      expectClose(Pe, e.map((v) => v * expected), { rtol: 1e-4, atol: 1e-6 });
    }
  });
});
