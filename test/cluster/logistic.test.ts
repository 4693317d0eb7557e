import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceNewton } from '../../algorithms/logistic';
import { syntheticLogistic } from '../../master/data/logistic-synthetic';
import { runJob, writeJobOutputs } from '../../master';
import { jobOf } from '../../master';
import { norm2 } from '../../shared/kernels';
import { readNpy } from '../../shared/tensor';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';
import { inlineLa } from '../helpers/linalg';

const tmp = mkdtempSync(join(tmpdir(), 'coda-lr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const synthetic = { rows: 2000, cols: 20, seed: 11, signal: 3, correlation: 0.5 };
const lambda = 1e-3;
const data = syntheticLogistic({ ...synthetic });
let ref: Awaited<ReturnType<typeof referenceNewton>>;
beforeAll(async () => {
  ref = await referenceNewton(inlineLa, data.X, data.y, lambda, 1e-12);
});

function job(solver: string, extra: Record<string, unknown> = {}) {
  return jobOf('logistic-regression', {
    data: { synthetic },
    solver,
    lambda,
    workers: 6,
    chaos: { delay: { dist: 'lambda-tail', base: 0.003 }, seed: 2 },
    stop: { gradNorm: 1e-8, maxRounds: solver === 'gd' ? 3000 : 60, timeLimit: 60, ...(solver === 'gd' ? { objective: ref.f + 1e-8 } : {}) },
    out: join(tmp, solver),
    ...extra,
  });
}

describe('logistic regression on a local cluster (real processes, heavy-tailed delays)', () => {
  it('gd, newton (speculative Hessian), oversketched-newton (coded or speculative gradient) and giant all reach the reference optimum', async () => {
    await withLocalCluster({ workers: 6 }, async (lc) => {
      const ctx = jobContext(lc);
      const runs: [string, Record<string, unknown>][] = [
        ['newton', {}],
        ['oversketched-newton', {}],
        // Figure 3 with X in 2 row blocks: 3 groups of 2 workers, each holding half of X.
        ['oversketched-newton', { sketch: { rowBlocks: 2, extra: 2 }, out: join(tmp, 'oversketch-rows') }],
        // Fig. 6's baseline: the gradient's products uncoded under the paper's speculative rule,
        // 6 blocks of d = 20 (4, 4, 3, 3, 3, 3 rows of Xᵀ: none padding only).
        ['oversketched-newton', { scheme: { name: 'speculative', rule: 'paper' }, blocks: 6, out: join(tmp, 'osn-speculative') }],
        ['giant', {}],
        ['gd', {}],
      ];
      for (const [solver, extra] of runs) {
        const j = job(solver, extra);
        const out = await runJob(j, ctx);
        writeJobOutputs(j.out!, out);
        const r = JSON.parse(readFileSync(join(j.out!, 'result.json'), 'utf8')) as Record<string, unknown>;
        const w = readNpy(join(j.out!, 'w.npy'));
        expect(w.shape).toEqual([20]);
        const rel = norm2(Float64Array.from(w.data, (v, i) => v - ref.w[i]!)) / norm2(ref.w);
        if (solver === 'gd') {
          expect(r.stoppedBy).toBe('objective');
          expect((r.objective as number) - ref.f).toBeLessThanOrEqual(1e-8);
        } else {
          expect(r.stoppedBy, solver).toBe('gradNorm');
          expect(r.gradNorm as number).toBeLessThanOrEqual(1e-8);
          expect(rel, solver).toBeLessThan(1e-6);
        }
        const history = r.history as { iteration: number; seconds: number; objective: number; trainError: number }[];
        expect(history.length).toBe((r.iterations as number) + 1);
        const moved = r.bytesMovedPerIteration as Record<string, number>;
        expect(moved.total, solver).toBeGreaterThan(0);
        if (extra.sketch) {
          // n = 2000, d = 20, N = 4 + e = 2 sketch blocks of width b = ⌈200/4⌉ = 50, R = 2.
          const h = (r.schemes as { hessian: Record<string, number> }).hessian;
          expect(h).toMatchObject({ rowBlocks: 2, groups: 3, slots: 12 });
          // Each of the 3 groups holds X once, split over its 2 workers (not a copy per host).
          expect(h.bytesPlaced).toBe(3 * 2000 * 20 * 8);
          // Every task gets its row block's √γ (1000 values), every partial sketch is 50×20:
          // sent 12·1000·8, received at least the 8 partials of the N = 4 blocks used.
          expect(moved['sketched Hessian']).toBeGreaterThanOrEqual(12 * 1000 * 8 + 8 * 50 * 20 * 8);
          expect(moved['sketched Hessian']).toBeLessThanOrEqual(12 * 1000 * 8 + 12 * 50 * 20 * 8);
        }
        expect(history.every((h, i) => i === 0 || h.seconds >= history[i - 1]!.seconds)).toBe(true);
      }
    });
  });

  it('oversketched-newton with a test split: a worker killed mid-job is decoded or moved around; the job converges', async () => {
    await withLocalCluster({ workers: 6 }, async (lc) => {
      const victim = lc.master.registry.get(3)!;
      let killed = false;
      const out = await runJob(job('oversketched-newton', { data: { synthetic, test: { fraction: 0.2 } } }), jobContext(lc, {
        onProgress: (p) => {
          if (p.round === 2 && !killed) {
            process.kill(victim.pid, 'SIGKILL');
            killed = true;
          }
        },
      }));
      expect(killed).toBe(true);
      expect(processAlive(victim.pid)).toBe(false);
      expect(out.result.stoppedBy).toBe('gradNorm');
      expect(out.result.testError).toBeGreaterThan(0);
      expect(out.result.testError).toBeLessThan(0.5);
      expect(out.result.data.testRows).toBe(400);
    });
  });
});
