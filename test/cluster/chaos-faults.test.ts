import { describe, expect, it } from 'vitest';
import { processChaos } from '../../launcher';
import { jobOf, runJob } from '../../master';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

const base = {
  job: 'least-squares',
  data: { synthetic: { kind: 'gaussian', rows: 800, cols: 16, seed: 5 } },
  scheme: { name: 'wait-all' },
  workers: 4,
  stop: { tol: 1e-10, maxRounds: 3000, timeLimit: 60 },
};

describe('injected faults and chaos schedules on a local cluster (wait-all stays exact)', () => {
  it('a worker that crashes itself after 3 tasks: its slot moves, the answer is exact', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const job = jobOf('least-squares', { ...base, chaos: { fault: { crashAfterTasks: 3 }, workers: [0], seed: 1 } });
      const victim = lc.master.registry.get(0)!.pid;
      const out = await runJob(job, jobContext(lc));
      expect(processAlive(victim)).toBe(false);
      expect(out.result.slotsRelocated).toBeGreaterThanOrEqual(1);
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
    });
  });

  it('dropped results are given up after taskTimeout and recomputed elsewhere, never silently lost', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const job = jobOf('least-squares', { ...base, taskTimeout: 0.3, chaos: { fault: { dropProbability: 0.2 }, workers: [1], seed: 3 } });
      const out = await runJob(job, jobContext(lc));
      expect(out.result.slotsRelocated).toBeGreaterThanOrEqual(1);
      expect(out.result.stoppedBy).toBe('tol');
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
    });
  });

  it('a schedule pauses a worker at round 3 for 1 s (SIGSTOP/SIGCONT) and kills another at round 6', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const job = jobOf('least-squares', {
        ...base,
        chaos: { schedule: ['at round 3 pause worker 1 for 1s', 'at round 6 kill worker 2'], seed: 1 },
      });
      const killed = lc.master.registry.get(2)!.pid;
      const out = await runJob(job, jobContext(lc, {
        chaos: { processes: processChaos({ restart: (i) => lc.restartWorker(i) }) },
      }));
      const applied = out.result.chaosApplied!.join('\n');
      expect(applied).toMatch(/pause worker 1/);
      expect(applied).toMatch(/unpause worker 1/);
      expect(applied).toMatch(/kill worker 2/);
      expect(processAlive(killed)).toBe(false);
      const history = out.result.history;
      expect(history[2]!.roundSeconds).toBeGreaterThan(0.9); // round 3 waited for the paused worker
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
    });
  });

  it('a schedule is refused (exit 2) when the cluster cannot carry it out', async () => {
    await withLocalCluster({ workers: 2 }, async (lc) => {
      const job = jobOf('least-squares', { ...base, workers: 2, chaos: { schedule: ['at round 2 pause worker 1 for 1s'] } });
      await expect(runJob(job, jobContext(lc))).rejects.toMatchObject({ exitCode: 2 });
      const net = jobOf('least-squares', { ...base, workers: 2, chaos: { schedule: ['at round 2 limit-bandwidth worker 1 rate 1mbit'] } });
      await expect(
        runJob(net, jobContext(lc, { chaos: { processes: processChaos({ restart: async () => {} }) } })),
      ).rejects.toThrow(/needs containers/);
    });
  });
});
