import { describe, expect, it } from 'vitest';
import { jobOf, runJob } from '../../master';
import type { JobSpec } from '../../master';
import { ClusterError } from '../../shared/errors';
import type { LocalCluster } from '../../launcher';
import { HostileWorker, MISCHIEF, type BulkMode, type Mischief } from '../helpers/hostile-worker';
import { jobContext } from '../helpers/job-context';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';

/**
 * A hostile worker among three honest ones (real worker processes on loopback): it registers
 * properly and takes its blocks, then answers on a seeded schedule with wrong lengths, shapes and
 * kinds, NaN and infinities, duplicates, answers for other rounds, jobs and slots, 16 MB payloads,
 * bytes that are no protobuf, streams reset mid-round, and garbage on the bulk channel. Least
 * squares under wait-all, frc and mds and the inverse over frc run beside it, seed after seed:
 * every job ends exact (against the direct solve) or with a ClusterError; the master (this
 * process) never throws, its heap stays bounded, and afterwards it runs an honest job exactly.
 */

const HONEST = 3;
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);
const BULK: BulkMode[] = ['honest', 'none', 'garbage'];
const WIRE_FUZZ: readonly Mischief[] = ['fuzz-reply', 'garbage', 'empty-reply', 'huge', 'reset'];

function leastSquares(scheme: Record<string, unknown>, seed: number, workers: number, blocks?: number): JobSpec {
  return jobOf('least-squares', {
    data: { synthetic: { kind: 'gaussian', rows: 240, cols: 8, seed } },
    scheme,
    workers,
    ...(blocks ? { blocks } : {}),
    stop: { tol: 1e-10, maxRounds: 400, timeLimit: 60 },
    taskTimeout: 10,
  });
}

function inverse(seed: number, workers: number): JobSpec {
  return jobOf('inverse', { data: { synthetic: { kind: 'gaussian', rows: 24, cols: 24, seed } }, workers, scheme: { name: 'frc', stragglers: 1 }, tol: 1e-10 });
}

type Outcome = { job: string; seed: number; outcome: 'exact' | 'cluster-error'; detail?: string };

describe('a hostile worker among honest ones', () => {
  it('every job ends exact or with a ClusterError, the master never throws, its memory stays bounded, and it then runs an honest job exactly', async () => {
    const escaped: unknown[] = [];
    const onEscape = (e: unknown): void => {
      escaped.push(e);
    };
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    try {
      await withLocalCluster({ workers: HONEST, master: { taskDeadlineSeconds: 10 } }, async (lc) => {
        const hostile = await HostileWorker.start(lc.master.address);
        try {
          await lc.master.waitForWorkers(HONEST + 1, 30_000);
          await hostileRuns(lc, hostile, escaped);
        } finally {
          await hostile.stop();
          expect(processAlive(hostile.pid), 'the hostile worker process left behind').toBe(false);
        }
      });
    } finally {
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    }
    expect(escaped).toEqual([]);
  }, 170_000);
});

async function hostileRuns(lc: LocalCluster, hostile: HostileWorker, escaped: unknown[]): Promise<void> {
  const outcomes: Outcome[] = [];
  const heap: number[] = [];
  const ctx = () => jobContext(lc);
  const run = async (name: string, seed: number, job: JobSpec, exact: (r: Record<string, unknown>) => boolean): Promise<void> => {
    try {
      const out = await runJob(job, ctx());
      const result = out.result as Record<string, unknown>;
      expect(exact(result), `${name} seed ${seed}: ${JSON.stringify(result).slice(0, 400)}`).toBe(true);
      outcomes.push({ job: name, seed, outcome: 'exact' });
    } catch (e) {
      // The only acceptable failure: the cluster could not do it, said as a ClusterError.
      expect(e, `${name} seed ${seed}: ${(e as Error)?.stack}`).toBeInstanceOf(ClusterError);
      outcomes.push({ job: name, seed, outcome: 'cluster-error', detail: (e as Error).message.slice(0, 200) });
    }
  };
  const lsExact = (r: Record<string, unknown>) => r.stoppedBy === 'tol' && (r.relErrorVsDirect as number) < 1e-6;
  const invExact = (r: Record<string, unknown>) => ((r.errors as { relativeFrobeniusNorm: number }).relativeFrobeniusNorm) < 1e-8;

  for (const [i, seed] of SEEDS.entries()) {
    // The last seeds fuzz the wire itself: every reply is random protobuf, bytes, 16 MB, or a reset.
    const fuzz = i >= SEEDS.length - 3;
    const mischief: readonly Mischief[] = fuzz ? WIRE_FUZZ : MISCHIEF;
    hostile.use({ seed, rate: fuzz ? 1 : 0.6, mischief, bulk: BULK[i % BULK.length]! });
    // A reset or unreadable reply loses the worker to the master; it registers again.
    const live = async (): Promise<number> => {
      await lc.master.waitForWorkers(HONEST + 1, 20_000).catch(() => undefined);
      return lc.master.cluster.liveWorkers().length;
    };
    // Three slots a worker: the hostile one answers several a round, enough to be dropped.
    const n = await live();
    await run('least squares, wait-all', seed, leastSquares({ name: 'wait-all' }, seed, n, 3 * n), lsExact);
    await run('least squares, frc', seed, leastSquares({ name: 'frc', stragglers: 1 }, seed, 2 * Math.floor((await live()) / 2)), lsExact);
    await run('least squares, mds', seed, leastSquares({ name: 'mds' }, seed, await live()), lsExact);
    await run('inverse, frc', seed, inverse(seed, 2 * Math.floor((await live()) / 2)), invExact);
    heap.push(process.memoryUsage().heapUsed);
  }

  const table = outcomes.map((o) => `${o.seed} ${o.job}: ${o.outcome}${o.detail ? ` (${o.detail})` : ''}`).join('\n');
  const played = [...hostile.played.entries()].sort().map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`[hostile-worker]\n${table}\nplayed: ${played}\nheap MB: ${heap.map((h) => (h / 2 ** 20).toFixed(0)).join(' ')}`);

  expect(escaped).toEqual([]);
  // Most jobs end exact: a bad answer costs a slot's move, not the job.
  expect(outcomes.filter((o) => o.outcome === 'exact').length).toBeGreaterThanOrEqual(outcomes.length * 0.75);
  // The hostile worker was heard, refused and dropped.
  const bad = (await lc.master.metrics.badAnswers.get()).values.reduce((n, v) => n + v.value, 0);
  const ignored = (await lc.master.metrics.ignoredAnswers.get()).values.reduce((n, v) => n + v.value, 0);
  const dropped = (await lc.master.metrics.workersDropped.get()).values.reduce((n, v) => n + v.value, 0);
  expect(bad).toBeGreaterThan(0);
  expect(ignored).toBeGreaterThan(0);
  expect(dropped).toBeGreaterThan(0);
  // Bounded: 16 MB answers came and went; what the heap holds after the first seed does not grow with the seeds.
  expect(Math.max(...heap.slice(1)) - heap[0]!).toBeLessThan(150 * 2 ** 20);

  // An honest worker again: the next job runs on all four, exactly.
  hostile.use({ seed: 99, rate: 0, mischief: [], bulk: 'honest' });
  await lc.master.waitForWorkers(HONEST + 1, 20_000);
  const out = await runJob(leastSquares({ name: 'wait-all' }, 7, HONEST + 1), ctx());
  const result = out.result as Record<string, unknown>;
  expect(result.stoppedBy).toBe('tol');
  expect(result.relErrorVsDirect).toBeLessThan(1e-6);
  expect(result.slotsRelocated).toBe(0);
  expect(escaped).toEqual([]);
}
