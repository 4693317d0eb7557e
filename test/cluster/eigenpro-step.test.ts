import { describe, expect, it } from 'vitest';
import { parseJobOf, runJob } from '../../master';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * AsyncEigenPro's step on 8 real workers. Every iteration waits the same 300 ms (a constant
 * injected delay, long beside a read, a step and a write), so the workers take turns: each write
 * lands about G − 1 = 7 other writes after its read. The paper's step (Theorem 1, independent of
 * τ) then diverges; Coda's staleness-aware step converges. (The in-process version of the same
 * comparison, at 1, 2, 4 and 8 workers: test/unit/eigenpro/staleness-step.test.ts.)
 */
const G = 8;
const job = (step: string): string => `
job: kernel-regression
solver: eigenpro-async
data: { synthetic: { kind: regression, rows: 1000, cols: 5, noise: 0.1, seed: 3 }, testFraction: 0.2 }
kernel: { name: laplacian, bandwidth: 2 }
eigenpro: { nystrom: 100, q: 30, batch: 64, epochs: 12, evalPoints: 0, evalsPerEpoch: 1, step: ${step} }
chaos: { delay: { dist: constant, value: 0.3 }, seed: 2 }
workers: ${G}
seed: 4
`;


describe('AsyncEigenPro step rules on 8 workers taking turns', () => {
  it("the paper's step diverges at τ ≈ 7 where the staleness-aware step converges; observed τ matches the worker count", async () => {
    await withLocalCluster({ workers: G, stderr: 'ignore' }, async (lc) => {
      const run = async (step: string) =>
        (await runJob(parseJobOf('kernel-regression', job(step), 'test'), jobContext(lc))).result;
      const paper = await run('paper');
      const ours = await run('staleness-aware');

      for (const r of [paper, ours]) {
        const staleness = r.staleness!;
        const perWorker = r.perWorker!;
        // Taking turns: a write lands after about the other G − 1 workers' writes (fewer when the
        // machine is loaded and a read, step and write take a good part of the 300 ms), never
        // many more.
        const note = `mean τ ${staleness.meanTau}, quantiles ${JSON.stringify(staleness.quantiles)}, medians ${perWorker.map((w) => w.tauMedian).join(',')}`;
        expect(staleness.meanTau, note).toBeGreaterThan(G / 2);
        expect(staleness.meanTau, note).toBeLessThan(G + 1);
        // The distribution, not only the mean: the middle of it at G − 1 = 7 (give or take a
        // turn), and the tail no further than one more round of the others' writes.
        expect(staleness.quantiles.p50, note).toBeGreaterThanOrEqual(G / 2);
        expect(staleness.quantiles.p50, note).toBeLessThanOrEqual(G);
        expect(staleness.quantiles.p90, note).toBeLessThanOrEqual(2 * G);
        expect(r.store!.kind).toBe('sharded');
        expect(r.store!.lostWrites).toBe(0);
        expect(r.reads!.classified).toBe(r.reads!.total);
        for (const w of perWorker) {
          expect(w.updates).toBeGreaterThan(0);
          expect(w.tauMedian, note).toBeGreaterThanOrEqual(G / 2 - 1);
          expect(w.tauMedian, note).toBeLessThanOrEqual(G + 1);
        }
      }
      expect(paper.stepRule).toMatch(/^paper \(Theorem 1\)/);
      expect(paper.steps).toHaveLength(G);
      expect(ours.stepRule).toMatch(/^staleness-aware \(Coda's rule\)/);
      expect(ours.steps).toBeUndefined();

      // The paper's step: the error grows past where it started (‖y‖², error 1) and keeps growing.
      const pc = paper.curve.map((c) => c.trainRelError);
      expect(paper.final.trainRelError).toBeGreaterThan(10);
      expect(pc[pc.length - 1]!).toBeGreaterThan(pc[Math.floor(pc.length / 2)]!);
      // The staleness-aware step: below 3% and still falling over the second half.
      const oc = ours.curve.map((c) => c.trainRelError);
      expect(ours.final.trainRelError).toBeLessThan(0.03);
      expect(oc[oc.length - 1]!).toBeLessThan(oc[Math.floor(oc.length / 2)]!);
    });
  }, 240_000);
});
