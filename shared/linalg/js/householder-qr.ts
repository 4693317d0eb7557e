import type { Matrix } from '../../tensor';

/**
 * Householder QR with optional column pivoting, in plain loops: the js backend's QR (ml-matrix
 * has no pivoted QR, and its unpivoted one stops at m ≥ n). The algorithm of LAPACK's dgeqp3 in
 * its unblocked form (dlaqp2): pick the column of largest remaining norm, reflect it onto e₁
 * with dlarfg's sign (R[j,j] = −sign(a)·‖x‖), downdate the other columns' norms, recomputing a
 * norm whose downdate has lost half its digits. Works on Aᵀ so each column is contiguous.
 */
export interface HouseholderQr {
  R: Matrix;
  perm: Int32Array;
  /** Q with `qCols` columns (k for thin, m for full), or null. */
  Q: Matrix | null;
}

const TOL3Z = Math.sqrt(Number.EPSILON);

export function householderQr(A: Matrix, pivoting: boolean, qCols: number | null): HouseholderQr {
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  // W row j = column j of A.
  const W = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) W[j * m + i] = A.data[i * n + j]!;
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const tau = new Float64Array(k);
  const vn1 = new Float64Array(n);
  const vn2 = new Float64Array(n);
  const tail = (j: number, from: number): number => {
    let s = 0;
    for (let i = from; i < m; i++) s = Math.hypot(s, W[j * m + i]!);
    return s;
  };
  for (let j = 0; j < n; j++) vn1[j] = vn2[j] = tail(j, 0);
  const swapRows = (p: number, q: number): void => {
    for (let i = 0; i < m; i++) {
      const t = W[p * m + i]!;
      W[p * m + i] = W[q * m + i]!;
      W[q * m + i] = t;
    }
    [perm[p], perm[q]] = [perm[q]!, perm[p]!];
    [vn1[p], vn1[q]] = [vn1[q]!, vn1[p]!];
    [vn2[p], vn2[q]] = [vn2[q]!, vn2[p]!];
  };

  for (let p = 0; p < k; p++) {
    if (pivoting) {
      let q = p;
      for (let j = p + 1; j < n; j++) if (vn1[j]! > vn1[q]!) q = j;
      if (q !== p) swapRows(p, q);
    }
    // The reflector H = I − τ·v·vᵀ, v = [1; x/(α − β)], that maps column p's tail onto β·e₁.
    const c = p * m;
    const alpha = W[c + p]!;
    const xnorm = tail(p, p + 1);
    if (xnorm === 0) {
      tau[p] = 0;
    } else {
      const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
      tau[p] = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = p + 1; i < m; i++) W[c + i]! *= scale;
      W[c + p] = beta;
    }
    const t = tau[p]!;
    for (let j = p + 1; j < n; j++) {
      const cj = j * m;
      if (t !== 0) {
        let s = W[cj + p]!;
        for (let i = p + 1; i < m; i++) s += W[c + i]! * W[cj + i]!;
        s *= t;
        W[cj + p]! -= s;
        for (let i = p + 1; i < m; i++) W[cj + i]! -= s * W[c + i]!;
      }
      if (pivoting && vn1[j] !== 0) {
        const r = Math.abs(W[cj + p]!) / vn1[j]!;
        const temp = Math.max(0, 1 - r * r);
        const ratio = vn1[j]! / vn2[j]!;
        if (temp * ratio * ratio <= TOL3Z) {
          vn1[j] = vn2[j] = tail(j, p + 1);
        } else {
          vn1[j]! *= Math.sqrt(temp);
        }
      }
    }
  }

  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) R[i * n + j] = W[j * m + i]!;

  let Q: Matrix | null = null;
  if (qCols !== null) {
    // Q = H₀·H₁·…·H_{k−1} applied to the first qCols columns of I, back to front; columns in rows of Qt.
    const Qt = new Float64Array(qCols * m);
    for (let j = 0; j < qCols; j++) Qt[j * m + j] = 1;
    for (let p = k - 1; p >= 0; p--) {
      const t = tau[p]!;
      if (t === 0) continue;
      const c = p * m;
      for (let j = 0; j < qCols; j++) {
        const cj = j * m;
        let s = Qt[cj + p]!;
        for (let i = p + 1; i < m; i++) s += W[c + i]! * Qt[cj + i]!;
        s *= t;
        Qt[cj + p]! -= s;
        for (let i = p + 1; i < m; i++) Qt[cj + i]! -= s * W[c + i]!;
      }
    }
    const q = new Float64Array(m * qCols);
    for (let j = 0; j < qCols; j++) for (let i = 0; i < m; i++) q[i * qCols + j] = Qt[j * m + i]!;
    Q = { rows: m, cols: qCols, data: q };
  }
  return { R: { rows: k, cols: n, data: R }, perm, Q };
}
