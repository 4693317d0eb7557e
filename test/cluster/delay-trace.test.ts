import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobOf, runJob } from '../../master';
import { DelayScheduleRunner } from '../../master/cluster/delay-schedule';
import type { JobSession } from '../../master/cluster/job-session';
import { mapPlanToLive } from '../../core/schemes/placement';
import { lookupScheme } from '../../core/schemes';
import { isDelayChange, parseChaosSchedule } from '../../shared/chaos';
import { Rng } from '../../shared/random';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

const root = join(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'coda-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NO_FAULTS = { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 };

/** A placed plan of one empty slot per worker: a round's answers carry each worker's injected delay (work 1). */
async function noopPlan(session: JobSession, name: string) {
  const live = session.liveWorkers();
  const plan = lookupScheme('wait-all').choose({}).plan({ workers: live.length, blocks: live.length, blockRows: live.map(() => 1), rng: new Rng(1) });
  plan.stored = [];
  plan.slots.forEach((s) => (s.blocks = []));
  return session.place(name, mapPlanToLive(plan, live), { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
}

async function injected(session: JobSession, placed: Awaited<ReturnType<typeof noopPlan>>): Promise<Map<number, number>> {
  const o = await session.round(placed, { kind: 'noop' });
  return new Map(o.arrivals.map((a) => [a.worker, a.injectedDelaySeconds]));
}

describe('replayed delay traces and delay profiles switched by a schedule', () => {
  it('coda run: a trace with a bad row exits 2 naming the file, the line and the column; nothing is written', () => {
    const cases: [string, RegExp][] = [
      ['w0,w1\n0.01,0.02\n0.01,-0.5\n', /bad\.csv line 3, column 2 \(w1\): negative time -0\.5/],
      ['# measured\n0.01\nslow\n', /bad\.csv line 3, column 1 \(column0\): not a finite number: "slow"/],
      ['0.01,0.02\n0.03,\n', /bad\.csv line 2, column 2 \(column1\): empty cell/],
    ];
    for (const [csv, message] of cases) {
      writeFileSync(join(tmp, 'bad.csv'), csv);
      writeFileSync(
        join(tmp, 'job.yaml'),
        'job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 200, cols: 5 } }\nworkers: 2\n' +
          'chaos: { delay: { dist: trace, file: bad.csv, scale: 0.5 } }\nout: out/trace\n',
      );
      const r = spawnSync(process.execPath, [join(root, 'bin/coda.js'), 'run', 'job.yaml'], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(tmp, 'out/trace'))).toBe(false);
    }
  });

  it('each worker replays its own stream of the trace (sent by the master), scaled, in order, wrapping', async () => {
    // Column w0 is shared by workers 0 and 2 (worker 2 starts half-way through it), w1 is worker 1's.
    writeFileSync(join(tmp, 'times.csv'), '# test trace\nw0,w1\n0.001,0.010\n0.002,0.020\n0.003,0.030\n0.004,0.040\n');
    await withLocalCluster({ workers: 3 }, async (lc) => {
      const session = await lc.master.cluster.openJob({ kind: 'least-squares' });
      try {
        await session.setChaos({ delay: { dist: 'trace', file: join(tmp, 'times.csv'), scale: 2 }, fault: NO_FAULTS, seed: 1, cores: 1 });
        const placed = await noopPlan(session, 'trace-noop');
        const seen: number[][] = [];
        for (let r = 0; r < 5; r++) {
          const d = await injected(session, placed);
          seen.push([0, 1, 2].map((w) => d.get(w)!));
        }
        const expected = [0, 1, 2, 3, 4].map((r) => [0.002 * (1 + (r % 4)), 0.02 * (1 + (r % 4)), 0.002 * (1 + ((r + 2) % 4))]);
        seen.forEach((row, r) => row.forEach((v, w) => expect(v).toBeCloseTo(expected[r]![w]!, 12)));
      } finally {
        await session.close();
      }
    });
  });

  it('a schedule switches the delay profile at the round it names (the session’s round counter), on the workers it names', async () => {
    const events = parseChaosSchedule(['at round 3 set delay constant value 40ms on worker 1', 'at round 5 set delay constant value 10ms on all workers']).filter(isDelayChange);
    await withLocalCluster({ workers: 3 }, async (lc) => {
      let session: JobSession | undefined;
      const runner = new DelayScheduleRunner(events, () => session!, lc.master.log);
      session = await lc.master.cluster.openJob({ kind: 'least-squares', beforeRound: (n) => runner.beforeRound(n) });
      try {
        await session.setChaos({ delay: { dist: 'constant', value: 0.001 }, fault: NO_FAULTS, seed: 1, cores: 1 });
        const placed = await noopPlan(session, 'schedule-noop');
        const byRound: number[][] = [];
        for (let r = 1; r <= 6; r++) {
          const d = await injected(session, placed);
          byRound.push([0, 1, 2].map((w) => d.get(w)!));
        }
        expect(byRound).toEqual([
          [0.001, 0.001, 0.001],
          [0.001, 0.001, 0.001],
          [0.001, 0.04, 0.001],
          [0.001, 0.04, 0.001],
          [0.01, 0.01, 0.01],
          [0.01, 0.01, 0.01],
        ]);
        await runner.finish();
        expect(runner.applied).toHaveLength(2);
        expect(runner.applied[0]).toMatch(/set delay constant value=0\.04 on worker 1 from round 3/);
        expect(runner.applied[1]).toMatch(/on workers 0, 1, 2 from round 5/);
      } finally {
        await session.close();
      }
    });
  });

  it('through runJob: a least-squares job whose schedule slows one worker from round 4 (on a local cluster, no process control needed)', async () => {
    await withLocalCluster({ workers: 3 }, async (lc) => {
      const job = jobOf('least-squares', {
        data: { synthetic: { kind: 'gaussian', rows: 300, cols: 6, seed: 2 } },
        workers: 3,
        chaos: { delay: { dist: 'none' }, schedule: ['at round 4 set delay constant value 150ms on worker 2'] },
        stop: { tol: 1e-12, maxRounds: 6, timeLimit: 60 },
      });
      const out = await runJob(job, jobContext(lc));
      expect(out.result.chaosApplied).toEqual([expect.stringMatching(/set delay constant value=0\.15 on worker 2 from round 4$/)]);
      // Worker 2's answers from round 4 on carry the 150 ms it was told to wait (a lower bound, not a timing).
      for (const h of out.result.history.filter((x) => x.round >= 4)) {
        expect(h.arrivals.find((a) => a.worker === 2)!.seconds).toBeGreaterThanOrEqual(0.15);
      }
    });
  });
});
