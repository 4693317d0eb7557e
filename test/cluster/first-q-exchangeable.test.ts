import { describe, expect, it } from 'vitest';
import { evenBlockStarts, mapPlanToLive } from '../../core/schemes/placement';
import { lookupScheme } from '../../core/schemes';
import { lsGradient } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import { matrix } from '../../shared/tensor';
import { withLocalCluster } from '../helpers/cluster-fixture';

/**
 * A first-q decoder (ignore-stragglers) on a real cluster with equal (constant) delays: which
 * slots are among the first q answers must not depend on the order the master sends them in,
 * or the rescaled sum is biased. Each worker hosts four slots; in a fixed send order its
 * first-sent slot answers first round after round. With the plan's shuffled sends, per-slot
 * first-q membership passes a chi-square test and the estimator's mean over the rounds is the
 * full gradient; the same rounds in fixed slot order (the old behaviour) fail both, which shows
 * the test can tell.
 *
 * What no send order can fix: worker processes sharing two cores are not equally fast, and the
 * difference persists over a run (one process shares a core with the master, or its connection
 * is read first), so how many of the first q come from each worker varies between workers (the
 * counts are printed on failure). The paper's servers are homogeneous. The test therefore checks
 * exchangeability within each worker (a chi-square stratified by worker), and builds the data so
 * that every worker holds the same four blocks: the slot order on a worker is then the only
 * thing that can bias the estimate.
 */
const WORKERS = 4;
const PER_WORKER = 4;
const K = WORKERS * PER_WORKER;
const Q = 2;
const ROUNDS = 200;
/**
 * χ² quantile at 1 − 1e-9 with WORKERS·(PER_WORKER − 1) = 12 degrees of freedom
 * (scipy.stats.chi2.isf(1e-9, 12)): a false failure once in 10⁹ runs.
 */
const CHI2_CRITICAL = 67.35;

/**
 * Exchangeability of first-q membership among each worker's slots. Given how many of a round's
 * first q came from worker w (n), they are a uniform n-subset of its k slots if the send order
 * does not matter; then, over independent rounds, (k−1)/k · Σₛ (cₛ − c̄_w)² / V_w with
 * V_w = Σ_rounds (n/k)(1 − n/k) is χ²(k − 1), and the strata add up.
 */
export function stratifiedMembershipChiSquare(memberships: number[][], hostOf: (slot: number) => number, slots: number): { statistic: number; df: number } {
  const workers = [...new Set(Array.from({ length: slots }, (_, s) => hostOf(s)))];
  let statistic = 0;
  let df = 0;
  for (const w of workers) {
    const mine = Array.from({ length: slots }, (_, s) => s).filter((s) => hostOf(s) === w);
    const k = mine.length;
    const counts = new Map(mine.map((s) => [s, 0]));
    let v = 0;
    for (const used of memberships) {
      const n = used.filter((s) => hostOf(s) === w).length;
      v += (n / k) * (1 - n / k);
      for (const s of used) if (counts.has(s)) counts.set(s, counts.get(s)! + 1);
    }
    if (k < 2 || v === 0) continue;
    const mean = [...counts.values()].reduce((a, b) => a + b, 0) / k;
    const ss = [...counts.values()].reduce((a, c) => a + (c - mean) ** 2, 0);
    statistic += ((k - 1) / k) * (ss / v);
    df += k - 1;
  }
  return { statistic, df };
}

/** Largest |mean − g| over coordinates in units of the mean's standard error (from the rounds' spread). */
function worstStandardizedError(estimates: Float64Array[], g: Float64Array): number {
  const R = estimates.length;
  let worst = 0;
  for (let j = 0; j < g.length; j++) {
    const xs = estimates.map((e) => e[j]!);
    const mean = xs.reduce((a, b) => a + b, 0) / R;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (R - 1));
    worst = Math.max(worst, Math.abs(mean - g[j]!) / (sd / Math.sqrt(R) + 1e-12 * (Math.abs(g[j]!) + 1)));
  }
  return worst;
}

describe('first-q answers on a real cluster (ignore-stragglers, equal delays)', () => {
  it(`over ${ROUNDS} rounds: membership is exchangeable and the mean estimate is the gradient with shuffled sends, not in slot order`, async () => {
    const rng = new Rng(11);
    const tau = 6;
    const d = 4;
    // Four base blocks; data block s is base block ⌊s/WORKERS⌋, so slot s (on worker s mod
    // WORKERS) makes every worker hold base blocks 0, 1, 2, 3 in its slot order.
    const base = Float64Array.from({ length: PER_WORKER * tau * d }, () => rng.normal());
    const baseB = Float64Array.from({ length: PER_WORKER * tau }, () => rng.normal());
    const A = matrix(K * tau, d, new Float64Array(K * tau * d));
    const b = new Float64Array(K * tau);
    for (let s = 0; s < K; s++) {
      const i = Math.floor(s / WORKERS);
      A.data.set(base.subarray(i * tau * d, (i + 1) * tau * d), s * tau * d);
      b.set(baseB.subarray(i * tau, (i + 1) * tau), s * tau);
    }
    const x = Float64Array.from({ length: d }, () => rng.normal());
    const g = lsGradient(A, b, x, new Float64Array(d));
    const blockStarts = evenBlockStarts(K * tau, K);
    const scheme = lookupScheme('ignore-stragglers');

    await withLocalCluster({ workers: WORKERS }, async (lc) => {
      const cluster = await lc.master.cluster.openJob({ kind: 'test' });
      await cluster.setChaos('none');
      const run = async (shuffle: boolean) => {
        const plan = scheme.choose({ q: Q }).plan({ workers: WORKERS, blocks: K, blockRows: new Array<number>(K).fill(tau), rng: new Rng(1) });
        expect(plan.shuffleSends).toBe(true);
        if (!shuffle) plan.shuffleSends = false;
        mapPlanToLive(plan, cluster.liveWorkers());
        const placed = await cluster.place(`firstq-${shuffle}`, plan, { A, b, blockStarts });
        const memberships: number[][] = [];
        const estimates: Float64Array[] = [];
        try {
          for (let r = 0; r < ROUNDS; r++) {
            const out = await cluster.round(placed, { kind: 'lsGradient', x });
            expect(out.decoded.used).toHaveLength(Q);
            memberships.push(out.decoded.used);
            estimates.push(Float64Array.from(out.decoded.value));
          }
        } finally {
          await cluster.release(placed);
        }
        const hosts = placed.hosts.slice();
        const chi = stratifiedMembershipChiSquare(memberships, (s) => hosts[s]!, K);
        const perSlot = Array.from({ length: K }, (_, s) => memberships.filter((u) => u.includes(s)).length);
        const perWorker = [...new Set(hosts)].map((w) => perSlot.filter((_, s) => hosts[s] === w).reduce((a, c) => a + c, 0));
        return { chi, estimates, note: `per slot ${perSlot.join(',')}; per worker ${perWorker.join(',')}` };
      };

      const shuffled = await run(true);
      const fixed = await run(false);
      await cluster.close();
      const note = `shuffled: ${shuffled.note}; slot order: ${fixed.note}`;
      expect(shuffled.chi.df, note).toBe(WORKERS * (PER_WORKER - 1));
      expect(shuffled.chi.statistic, note).toBeLessThan(CHI2_CRITICAL);
      expect(fixed.chi.statistic, note).toBeGreaterThan(CHI2_CRITICAL);
      // The mean of the rounds' estimates is the full gradient within 6 standard errors per
      // coordinate (rounds are independent; a false failure < 4·2e-9); in slot order it is not.
      expect(worstStandardizedError(shuffled.estimates, g), note).toBeLessThan(6);
      expect(worstStandardizedError(fixed.estimates, g), note).toBeGreaterThan(6);
    });
  }, 120_000);
});
