import { describe, expect, it } from 'vitest';
import { SlowWorkerBlocklist } from '../../../core/policy';

const WORKERS = [0, 1, 2, 3, 4, 5, 6, 7];
const ratios = (slow: Record<number, number>): Map<number, number> => new Map(WORKERS.map((w) => [w, slow[w] ?? 1]));
const none = new Map<number, { ratio: number; round: number }>();

describe('slow-worker blocklist', () => {
  it('flags a worker only after slowRounds rounds at slowFactor × the median, and says so', () => {
    const b = new SlowWorkerBlocklist({ slowFactor: 3, slowRounds: 10 });
    expect(b.update(5, WORKERS, ratios({ 3: 4.1 }), none).flagged).toEqual([]);
    expect(b.update(10, WORKERS, ratios({ 3: 4.1 }), none).flagged).toEqual([]);
    const u = b.update(15, WORKERS, ratios({ 3: 4.1 }), none);
    expect(u.flagged).toEqual([3]);
    expect(u.events).toEqual(['worker 3 at 4.1× the median for 10 rounds']);
  });

  it('restarts the count when the worker dips under slowFactor, and keeps a flag until recoverFactor', () => {
    const b = new SlowWorkerBlocklist({ slowFactor: 3, slowRounds: 10, recoverFactor: 1.5 });
    b.update(5, WORKERS, ratios({ 3: 4 }), none);
    b.update(10, WORKERS, ratios({ 3: 2 }), none);
    expect(b.update(15, WORKERS, ratios({ 3: 4 }), none).flagged).toEqual([]);
    expect(b.update(25, WORKERS, ratios({ 3: 4 }), none).flagged).toEqual([3]);
    // Between the two factors: still flagged (hysteresis); under recoverFactor: cleared.
    expect(b.update(30, WORKERS, ratios({ 3: 2 }), none).flagged).toEqual([3]);
    const u = b.update(35, WORKERS, ratios({ 3: 1.2 }), none);
    expect(u.flagged).toEqual([]);
    expect(u.events).toEqual(['worker 3 back to 1.2× the median']);
  });

  it('flags fewer than half the workers', () => {
    const b = new SlowWorkerBlocklist({ slowRounds: 0 });
    expect(b.update(1, WORKERS, ratios({ 0: 9, 1: 9, 2: 9, 3: 9, 4: 9 }), none).flagged).toEqual([0, 1, 2]);
  });

  it('probes a left-out worker, backs off after slow probes, and readmits it after good ones', () => {
    const b = new SlowWorkerBlocklist({ slowRounds: 0, probeEvery: 10, maxProbeEvery: 40, recoverProbes: 2 });
    b.update(0, WORKERS, ratios({ 3: 8 }), none);
    b.setExcluded(0, [3]);
    const probes: number[] = [];
    const probeRatio = (r: number): number => (r < 60 ? 8 : 1);
    let lastProbe = -1;
    for (let r = 1; r <= 200; r++) {
      // The probe of round p is measured in round p and judged at the next update.
      const latest = lastProbe >= 0 ? new Map([[3, { ratio: probeRatio(lastProbe), round: lastProbe }]]) : none;
      const u = b.update(r, WORKERS, ratios({ 3: 8 }), latest);
      if (u.probe.includes(3)) {
        probes.push(r);
        lastProbe = r;
      }
      if (!u.flagged.includes(3)) {
        expect(u.events[0]).toMatch(/worker 3 recovered \(probe at 1\.0× the median\)/);
        break;
      }
    }
    // Intervals 20, then 40 after slow probes; the probe at 70 (recovered at 60) is good and confirmed 10 rounds later.
    expect(probes).toEqual([10, 30, 70, 80]);
    expect(b.flagged()).toEqual([]);
  });
});
