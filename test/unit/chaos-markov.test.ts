import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredDelays, delayMean, delayQuantile, delaySchema, makeDelaySampler, parseChaosSchedule, type DelaySpec } from '../../shared/chaos';
import { Rng } from '../../shared/random';

const MARKOV = { dist: 'markov', base: 0.01, factor: 8, normalDwell: 4, slowDwell: 1 } as const;

/** A sampler on a scripted clock: one draw every `step` seconds. */
function drawsEvery(spec: DelaySpec, step: number, n: number, seed: number): number[] {
  let t = 0;
  const sample = makeDelaySampler(spec, new Rng(seed), () => t);
  return Array.from({ length: n }, () => {
    t += step;
    return sample();
  });
}

describe('markov delay: correlated slow periods', () => {
  it('spends slowDwell/(normalDwell + slowDwell) of the time slow; periods last as long as declared', () => {
    // 2 000 000 draws, 10 ms apart: 20 000 s, about 4 000 slow periods.
    const d = drawsEvery(MARKOV, 0.01, 2_000_000, 5);
    expect(d.every((x) => x === 0.01 || x === 0.08)).toBe(true);
    const slow = d.filter((x) => x === 0.08).length / d.length;
    expect(slow).toBeGreaterThan(0.2 - 0.015);
    expect(slow).toBeLessThan(0.2 + 0.015);
    const runs: { slow: boolean; n: number }[] = [];
    for (const x of d) {
      const s = x === 0.08;
      const last = runs[runs.length - 1];
      if (last && last.slow === s) last.n++;
      else runs.push({ slow: s, n: 1 });
    }
    const mean = (s: boolean) => {
      const r = runs.slice(1, -1).filter((x) => x.slow === s);
      return (r.reduce((a, x) => a + x.n, 0) / r.length) * 0.01;
    };
    // Exponential stays: the mean of ~4 000 is within 5% of the declared mean (about 3 standard errors).
    expect(Math.abs(mean(true) - 1) / 1).toBeLessThan(0.05);
    expect(Math.abs(mean(false) - 4) / 4).toBeLessThan(0.05);
    expect(delayMean(MARKOV)).toBeCloseTo(0.01 * (0.8 + 0.2 * 8), 12);
  });

  it('is correlated in time (a slow draw is followed by a slow one), unlike an i.i.d. mixture of the same marginal', () => {
    const d = drawsEvery(MARKOV, 0.01, 200_000, 6);
    let slowThenSlow = 0;
    let slowDraws = 0;
    for (let i = 1; i < d.length; i++) {
      if (d[i - 1] === 0.08) {
        slowDraws++;
        if (d[i] === 0.08) slowThenSlow++;
      }
    }
    // P(still slow 10 ms later) = e^{-0.01} ≈ 0.99, against 0.2 for independent draws.
    expect(slowThenSlow / slowDraws).toBeGreaterThan(0.97);
  });

  it('runs in time, not in draws: a worker drawing rarely still goes through its periods', () => {
    const sparse = drawsEvery(MARKOV, 3, 20_000, 7);
    const slow = sparse.filter((x) => x === 0.08).length / sparse.length;
    expect(slow).toBeGreaterThan(0.17);
    expect(slow).toBeLessThan(0.23);
  });

  it('is seeded: the same seed and clock give the same draws, another seed others', () => {
    expect(drawsEvery(MARKOV, 0.05, 5000, 9)).toEqual(drawsEvery(MARKOV, 0.05, 5000, 9));
    expect(drawsEvery(MARKOV, 0.05, 5000, 9)).not.toEqual(drawsEvery(MARKOV, 0.05, 5000, 10));
  });

  it('is refused with the key named when a parameter is bad', () => {
    expect(() => makeDelaySampler({ ...MARKOV, factor: 0.5 }, new Rng(1))).toThrow('chaos.delay.factor must be a number ≥ 1');
    expect(() => makeDelaySampler({ ...MARKOV, slowDwell: 0 }, new Rng(1))).toThrow('chaos.delay.slowDwell must be a positive number of seconds');
    const r = delaySchema.safeParse({ ...MARKOV, dwell: 3 });
    expect(r.success).toBe(false);
    expect(delaySchema.parse(MARKOV)).toEqual(MARKOV);
  });

  it('a schedule line can switch to it, dwell times as durations', () => {
    const [e] = parseChaosSchedule(['at round 20 set delay markov base 10ms factor 8 normalDwell 4s slowDwell 500ms on worker 2']);
    expect(e).toEqual({ action: 'set-delay', at: { round: 20 }, delay: { dist: 'markov', base: 0.01, factor: 8, normalDwell: 4, slowDwell: 0.5 }, workers: [2] });
  });

  it('its quantile is the stationary marginal', () => {
    const q = delayQuantile(MARKOV)!;
    expect(q(0.5)).toBe(0.01);
    expect(q(0.79)).toBe(0.01);
    expect(q(0.81)).toBe(0.08);
  });
});

describe('declared delays: the model of the injected delays a job starts with', () => {
  const W = [0, 1, 2, 3, 4, 5, 6, 7];

  it('no delay declares nothing', () => {
    expect(declaredDelays({ delay: { dist: 'none' } }, W)).toBeUndefined();
  });

  it('chaos.workers limits the delay; a schedule’s round-1 set delay is in force from the start, later ones are not', () => {
    const only = declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, W)!;
    expect(W.map((w) => only.delayOf(w).dist)).toEqual(['none', 'none', 'none', 'constant', 'none', 'none', 'none', 'none']);
    const sched = declaredDelays(
      { delay: { dist: 'constant', value: 0.005 }, schedule: ['at round 1 set delay constant value 40ms on worker 3', 'at round 100 set delay lambda-tail base 5ms'] },
      W,
    )!;
    expect(sched.delayOf(3)).toEqual({ dist: 'constant', value: 0.04 });
    expect(sched.delayOf(2)).toEqual({ dist: 'constant', value: 0.005 });
    expect(sched.per).toBe('worker-round');
  });

  it('a trace gives each worker its own column, as the session sends it; per: task is declared', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-declared-'));
    const file = join(dir, 't.csv');
    writeFileSync(file, 'a,b\n0.01,0.5\n0.02,0.6\n0.03,0.7\n');
    const d = declaredDelays({ delay: { dist: 'trace', file, mode: 'replay', scale: 2, per: 'task' } }, [4, 6])!;
    expect(d.per).toBe('task');
    const q4 = delayQuantile(d.delayOf(4))!;
    const q6 = delayQuantile(d.delayOf(6))!;
    expect([q4(0.1), q4(0.5), q4(1)]).toEqual([0.02, 0.04, 0.06]);
    expect(q6(0.5)).toBeCloseTo(1.2, 12);
  });
});
