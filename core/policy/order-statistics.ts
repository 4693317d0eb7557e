import type { Candidate } from './candidates';

/**
 * Exact expected seconds per iteration under the papers' model, where it has a closed form:
 * N workers with i.i.d. shifted-exponential slowdowns S = shift + Exp(rate) per round, one slot
 * per worker, a worker's time = S × its work (sequential delay model). With Hₙ the harmonic
 * numbers and the order statistics of the exponential (Rényi):
 * - wait-all: the maximum of N, E = shift + H_N/rate;
 * - ignore-stragglers q / mds's k of n: the q-th of N, E = w·(shift + (H_N − H_{N−q})/rate), w the
 *   slot's work (1; mds: N/k, twice per iteration);
 * - replication r and frc s (decode: cover), (s+1) | N: ℓ groups of g = s+1 = r workers with work
 *   g; a group is done at its fastest member, g·(shift + Exp(g·rate)), the round at the slowest
 *   group: E = g·shift + H_ℓ/rate;
 * - frc s (decode: residue), (s+1) | N: the first of s+1 disjoint classes of ℓ workers to
 *   complete: g·(shift + X), X = min over classes of the class maximum, P(X > t) =
 *   (1 − (1 − e^{−rate·t})^ℓ)^{s+1}; with u = 1 − e^{−rate·t},
 *   E[X] = (1/rate)·∫₀¹ (Σ_{i<ℓ} uⁱ)(1 − u^ℓ)^s du = (1/rate)·Σ_{i<ℓ} Σ_{j≤s} C(s,j)(−1)^j/(i + ℓj + 1).
 * Undefined where no closed form applies (speculation, leverage, uneven groups). The simulator is
 * checked against these.
 */
export function expectedIterationSeconds(c: Candidate, workers: number, fit: { shift: number; rate: number }): number | undefined {
  const N = workers;
  const { shift, rate } = fit;
  const H = (n: number): number => {
    let h = 0;
    for (let i = 1; i <= n; i++) h += 1 / i;
    return h;
  };
  const kth = (k: number, n: number): number => shift + (H(n) - H(n - k)) / rate;
  switch (c.scheme) {
    case 'wait-all':
      return c.blocks === N ? kth(N, N) : undefined;
    case 'ignore-stragglers': {
      const q = c.params.q as number;
      return c.blocks === N ? kth(q, N) : undefined;
    }
    case 'mds': {
      const k = c.params.k as number;
      // Two products an iteration, each over N/k of the rows at half a gradient's flops: N/(2k) each.
      return (c.params.n as number) === N && c.blocks === k ? 2 * (N / (2 * k)) * kth(k, N) : undefined;
    }
    case 'replication':
    case 'frc': {
      const g = c.scheme === 'replication' ? (c.params.r as number) : (c.params.stragglers as number) + 1;
      if (N % g !== 0 || c.blocks !== N / g) return undefined;
      const l = N / g;
      if (c.scheme === 'replication' || c.params.decode === 'cover') return g * shift + H(l) / rate;
      const s = g - 1;
      let sum = 0;
      for (let i = 0; i < l; i++) for (let j = 0; j <= s; j++) sum += (binomial(s, j) * (j % 2 ? -1 : 1)) / (i + l * j + 1);
      return g * (shift + sum / rate);
    }
    default:
      return undefined;
  }
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return b;
}
