/**
 * Order statistics of i.i.d. shifted-exponential slowdowns S = shift + Exp(rate), the papers'
 * runtime model: what a scheme's closed-form time per iteration (Scheme.expectedIterationSeconds)
 * is built from. With Hₙ the harmonic numbers and Rényi's representation of exponential order
 * statistics, the k-th fastest of n has mean shift + (Hₙ − H₍ₙ₋ₖ₎)/rate.
 */
export interface ShiftedExponentialParameters {
  shift: number;
  rate: number;
}

/** Hₙ = 1 + 1/2 + … + 1/n (H₀ = 0). */
export function harmonic(n: number): number {
  let h = 0;
  for (let i = 1; i <= n; i++) h += 1 / i;
  return h;
}

/** E[k-th fastest of n] = shift + (Hₙ − H₍ₙ₋ₖ₎)/rate. */
export function expectedKthOf(k: number, n: number, fit: ShiftedExponentialParameters): number {
  return fit.shift + (harmonic(n) - harmonic(n - k)) / fit.rate;
}

/** C(n, k) as a float (small n). */
export function binomialCoefficient(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return b;
}
