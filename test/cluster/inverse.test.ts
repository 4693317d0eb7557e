import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOf, runJob, writeJobOutputs } from '../../master';
import { Rng } from '../../shared/random';
import { formatNpy } from '../../shared/tensor';
import { startLocalCluster, type LocalCluster } from '../../launcher';
import { jobContext } from '../helpers/job-context';

/**
 * The inverse over frc on real worker processes (loopback gRPC): with N = 8 and s = 1, one worker
 * SIGKILLed mid-task and another delayed, the output equals the no-straggler run, decoded from
 * one complete residue class without waiting for the delayed worker.
 */
describe('coda inverse over frc on a local cluster (N = 8, s = 1)', () => {
  let lc: LocalCluster;
  beforeAll(async () => {
    lc = await startLocalCluster({ workers: 8 });
  });
  afterAll(async () => {
    await lc?.stop();
  });

  const job = (chaos: Record<string, unknown> = {}) =>
    jobOf('inverse', {
      data: { synthetic: { kind: 'gaussian', rows: 60, cols: 60, seed: 3 } },
      workers: 8,
      scheme: { name: 'frc', stragglers: 1 },
      tol: 1e-10,
      chaos,
    });
  const ctx = () => (jobContext(lc));

  it('a SIGKILLed worker and a delayed one change nothing in the output', async () => {
    const base = await runJob(job(), ctx());
    const baseValues = base.tensors['inverse.npy']!.values;
    expect(base.result.errors.relativeFrobeniusNorm).toBeLessThan(1e-8);
    // The master's numerics ran on its linear-algebra thread, and the report says which backend.
    expect(['native', 'js']).toContain(base.result.linalg);
    expect(base.result.rankCheck.method).toMatch(/QR with column pivoting/);
    expect(base.result.errors.reference).toMatch(/^exact \((native|js): LU inverse\)$/);
    expect(base.result.estimate).toMatchObject({ kappa: expect.any(Number), iterationsBound: expect.any(Number) });
    // result.json carries the master's event-loop lag over the job, and the workers' worst (from their answers).
    const dir = mkdtempSync(join(tmpdir(), 'coda-inv-'));
    try {
      writeJobOutputs(dir, base);
      const written = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { eventLoopLag: { master: { p99: number; max: number }; workers: { p99: number; max: number } | null; note?: string } };
      const { master, workers } = written.eventLoopLag;
      expect(workers).not.toBeNull();
      for (const lag of [master, workers!]) {
        for (const v of [lag.p99, lag.max]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        expect(lag.max).toBeGreaterThanOrEqual(lag.p99);
      }
      expect(written.eventLoopLag.note).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Slots are logical workers 0..7 on the live workers in order; slots 0 and 2 are residue class 0.
    const live = lc.master.cluster.liveWorkers();
    const killed = live[0]!;
    const delayed = live[2]!;
    const pid = lc.master.registry.alive().find((w) => w.index === killed)!.pid;
    const DELAY = 20;
    const running = runJob(job({ delay: { dist: 'constant', value: DELAY }, workers: [killed, delayed] }), ctx());
    await new Promise((r) => setTimeout(r, 1000)); // both are inside their injected delay now
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    const out = await running;
    const seconds = (Date.now() - t0) / 1000 + 1;

    expect(Array.from(out.tensors['inverse.npy']!.values)).toEqual(Array.from(baseValues));
    const round = out.result.round;
    expect(round.decodedFromSlots).toEqual([1, 3, 5, 7]);
    expect(round.residueClass).toBe(1);
    expect(round.stragglers.map((s) => s.worker)).toContain(delayed);
    // Decoded as soon as class 1 answered: long before the delayed worker would have.
    expect(round.seconds).toBeLessThan(DELAY / 2);
    expect(seconds).toBeLessThan(DELAY / 2);
  });

  it('a column solve pays for the iterations it did: its delay is the draw × its column iterations over one iteration of a worker’s share', async () => {
    const UNIT = 0.0005;
    const out = await runJob(job({ delay: { dist: 'constant', value: UNIT } }), ctx());
    const { iterations, workers } = out.result;
    const round = out.result.round;
    const perGroup = (out.result.scheme as unknown as { columnsPerGroup: number[] }).columnsPerGroup;
    expect(round.arrivals.length).toBeGreaterThanOrEqual(perGroup.length);
    // N workers (8, or 7 when the previous test's killed worker has not come back), 60 columns,
    // frc s = 1: groups of 60/⌊N/2⌋ columns; the reference is one iteration of 60/N columns, so a
    // slot's work is (its column iterations) × N/60.
    for (const a of round.arrivals) {
      const columnIterations = a.injectedDelaySeconds / UNIT / (workers / 60);
      expect(columnIterations).toBeGreaterThanOrEqual(Math.min(...perGroup) * iterations.min - 1e-6);
      expect(columnIterations).toBeLessThanOrEqual(Math.max(...perGroup) * iterations.max + 1e-6);
      expect(Math.abs(columnIterations - Math.round(columnIterations))).toBeLessThan(1e-6);
    }
  });
});

describe('coda invert says what the solve will cost, then how far it is (issue 26)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'coda-invert-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the estimate (κ, iterations a column, time) before the workers start, a progress line and a log line per column group', () => {
    const n = 60;
    const rng = new Rng(31);
    writeFileSync(join(tmp, 'A.npy'), formatNpy([n, n], Float64Array.from({ length: n * n }, () => rng.normal())));
    const r = spawnSync(process.execPath, [join(__dirname, '../../bin/coda.js'), 'invert', '--input', 'A.npy', '--out', 'Ainv.npy', '--workers', '4', '--stragglers', '1'], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, CODA_LOG_LEVEL: 'info' },
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    const estimate = lines.findIndex((l) => /^coda invert: estimate: κ\(A\) = [\d.e+]+; CG needs at most about \d+ iterations a column .* expected time about (< )?[\d.]+ (s|min|h).* \(an estimate: [\d.]+ GFLOP\/s a worker/.test(l));
    expect(estimate, r.stderr).toBeGreaterThanOrEqual(0);
    // Before the cluster: no worker had joined when it was printed.
    const joined = lines.findIndex((l) => l.includes('worker joined'));
    expect(joined === -1 || joined > estimate, 'the estimate comes before any worker joins').toBe(true);
    // 4 workers, s = 1: two column groups of 30, each reported when its first worker answers.
    for (const done of [30, 60]) {
      expect(r.stderr).toContain(`coda invert (inverse): ${done} of ${n} columns solved`);
      const log = lines.find((l) => l.includes(`inverse: column group solved, ${done} of ${n} columns done`));
      expect(log, r.stderr).toBeDefined();
      expect(JSON.parse(log!)).toMatchObject({ columnsDone: done, columns: n, groupsDone: done / 30 });
    }
    const report = JSON.parse(readFileSync(join(tmp, 'Ainv.report.json'), 'utf8')) as { eventLoopLag: { master: { p99: number; max: number } }; estimate: { kappa: number } };
    expect(report.eventLoopLag.master.max).toBeGreaterThanOrEqual(0);
    expect(report.estimate.kappa).toBeGreaterThan(1);
  });
});
