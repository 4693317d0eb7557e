import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOf, runJob } from '../../master';
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
