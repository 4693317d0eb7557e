/**
 * The reciprocal condition number in the 1-norm, 1/(‖A‖₁·‖A⁻¹‖₁), estimated the way LAPACK's
 * dgecon does, for the js backend: ‖A⁻¹‖₁ by Hager's method with Higham's refinements
 * (Higham, "FORTRAN codes for estimating the one-norm of a real or complex matrix", ACM TOMS
 * 14(4), 1988; LAPACK dlacn2), from a few solves with A and Aᵀ. The estimate never exceeds
 * ‖A⁻¹‖₁, so the rcond it gives is never below the true one, and is usually within a factor 3.
 */

/** ‖A‖₁: the largest column sum of |a_ij| (row-major rows×cols). */
export function oneNorm(data: Float64Array, rows: number, cols: number): number {
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sums[j]! += Math.abs(data[i * cols + j]!);
  let m = 0;
  for (const s of sums) m = Math.max(m, s);
  return m;
}

const norm1 = (x: Float64Array): number => x.reduce((s, v) => s + Math.abs(v), 0);

/** Estimate of ‖A⁻¹‖₁ given x ↦ A⁻¹x and x ↦ A⁻ᵀx. */
export function inverseOneNormEstimate(n: number, solve: (x: Float64Array) => Float64Array, solveT: (x: Float64Array) => Float64Array): number {
  if (n === 0) return 0;
  let x = new Float64Array(n).fill(1 / n);
  let y = solve(x);
  let est = norm1(y);
  if (n === 1) return est;
  let sign = y.map((v) => (v >= 0 ? 1 : -1));
  for (let iter = 0; iter < 5; iter++) {
    const z = solveT(sign);
    let j = 0;
    for (let i = 1; i < n; i++) if (Math.abs(z[i]!) > Math.abs(z[j]!)) j = i;
    // Hager's test: no unit vector can increase ‖A⁻¹x‖₁ beyond what x gave.
    if (iter > 0) {
      let zx = 0;
      for (let i = 0; i < n; i++) zx += z[i]! * x[i]!;
      if (Math.abs(z[j]!) <= zx) break;
    }
    x = new Float64Array(n);
    x[j] = 1;
    y = solve(x);
    const next = norm1(y);
    const nextSign = y.map((v) => (v >= 0 ? 1 : -1));
    if (next <= est || nextSign.every((s, i) => s === sign[i])) {
      est = Math.max(est, next);
      break;
    }
    est = next;
    sign = nextSign;
  }
  // Higham's extra vector, which catches the matrices that fool Hager's iteration.
  const alt = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + i / (n - 1)));
  return Math.max(est, (2 * norm1(solve(alt))) / (3 * n));
}

/** 1/(‖A‖₁·estimate of ‖A⁻¹‖₁); 0 for a zero matrix, as dgecon. */
export function rcondEstimate(anorm: number, n: number, solve: (x: Float64Array) => Float64Array, solveT: (x: Float64Array) => Float64Array): number {
  if (n === 0) return 1;
  if (anorm === 0) return 0;
  const inv = inverseOneNormEstimate(n, solve, solveT);
  return inv > 0 && Number.isFinite(inv) ? 1 / (anorm * inv) : 0;
}

/** ‖S‖₁ of the symmetric S whose lower triangle the row-major n×n data holds (LAPACK's dlansy). */
export function symmetricOneNorm(data: Float64Array, n: number): number {
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = Math.abs(data[i * n + j]!);
      sums[j]! += v;
      if (j !== i) sums[i]! += v;
    }
  }
  let m = 0;
  for (const s of sums) m = Math.max(m, s);
  return m;
}
