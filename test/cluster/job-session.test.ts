import { describe, expect, it } from 'vitest';
import { mapPlanToLive } from '../../core/schemes/placement';
import type { JobSession } from '../../master/cluster/job-session';
import { lookupScheme } from '../../core/schemes';
import { Rng } from '../../shared/random';
import { withLocalCluster } from '../helpers/cluster-fixture';

const NO_FAULTS = { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 };

async function noopRound(session: JobSession, name: string) {
  const live = session.liveWorkers();
  const plan = lookupScheme('wait-all').choose({}).plan({ workers: live.length, blocks: live.length, blockRows: live.map(() => 1), rng: new Rng(1) });
  plan.stored = [];
  plan.slots.forEach((s) => (s.blocks = []));
  const placed = await session.place(name, mapPlanToLive(plan, live), { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
  return session.round(placed, { kind: 'noop' });
}

describe('job sessions', () => {
  it('jobs on one master run one at a time in a visible queue; each owns its workers, round counter and labels; its chaos ends with it', async () => {
    await withLocalCluster({ workers: 3 }, async (lc) => {
      const cluster = lc.master.cluster;
      const a = await cluster.openJob({ kind: 'least-squares', workers: [0, 1] });
      const bOpening = cluster.openJob({ kind: 'inverse' });
      expect(cluster.jobs().running?.id).toBe(a.id);
      expect(cluster.jobs().queued.map((j) => j.kind)).toEqual(['inverse']);
      expect(a.liveWorkers()).toEqual([0, 1]);
      expect(a.labels).toEqual({ job_kind: 'least-squares', job_id: a.id });
      await a.setChaos({ delay: { dist: 'constant', value: 0.05 }, fault: NO_FAULTS, seed: 1, cores: 1 });
      const slow = await noopRound(a, 'a-1');
      expect(slow.round).toBe(1);
      expect(slow.arrivals.every((x) => x.injectedDelaySeconds === 0.05)).toBe(true);
      expect((await noopRound(a, 'a-2')).round).toBe(2);
      await a.close();

      const b = await bOpening;
      expect(cluster.jobs()).toEqual({ running: { id: b.id, kind: 'inverse' }, queued: [] });
      expect(b.liveWorkers()).toEqual([0, 1, 2]);
      // A's chaos was reset when it closed; B's rounds count from 1.
      const fast = await noopRound(b, 'b-1');
      expect(fast.round).toBe(1);
      expect(fast.arrivals.map((x) => x.injectedDelaySeconds)).toEqual([0, 0, 0]);
      await b.close();
      const metrics = await lc.master.promRegistry.getSingleMetricAsString('coda_rounds_total');
      expect(metrics).toContain(`job_kind="least-squares",job_id="${a.id}"`);
      expect(metrics).not.toMatch(/[{,]job="/);
    });
  });
});
