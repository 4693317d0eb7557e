import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import { lookupScheme } from '../../../core/schemes';
import { expectClose, TOL } from '../../helpers/expect-close';
import { blockRows, exactGradient, randomProblem, slotResults } from './simulate';

const scheme = lookupScheme('speculative');

describe('speculative', () => {
  it('plans wait-all placement plus backups on other workers, with Spark defaults', () => {
    const p = randomProblem(3, 6, 4, 3);
    const plan = scheme.choose({}).plan({ workers: 6, blocks: 6, blockRows: blockRows(p), rng: new Rng(1) });
    expect(plan.slots.map((s) => s.host)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.speculation?.quantile).toBe(0.75);
    expect(plan.speculation?.multiplier).toBe(1.5);
    plan.speculation!.backups.forEach((hosts, s) => {
      expect(hosts).toHaveLength(2);
      expect(new Set([plan.slots[s]!.host, ...hosts]).size).toBe(3);
    });
    // Every worker holds the same number of backup blocks.
    const load = new Array(6).fill(0);
    for (const hosts of plan.speculation!.backups) for (const h of hosts) load[h]++;
    expect(new Set(load).size).toBe(1);
  });

  it('caps backups at N−1 and honours configured quantile and multiplier', () => {
    const plan = scheme.choose({ quantile: 0.5, multiplier: 2, backups: 5 }).plan({ workers: 2, blocks: 2, blockRows: [3, 3], rng: new Rng(1) });
    expect(plan.speculation).toEqual({ quantile: 0.5, multiplier: 2, backups: [[1], [0]] });
    expect(() => scheme.choose({ quantile: 1.5 })).toThrow(/quantile/);
    expect(() => scheme.choose({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => scheme.choose({ timeout: 1 })).toThrow(/unknown key 'timeout'/);
  });

  it("rule: paper is OverSketched Newton's §4.4 (90% answered, then every task still out restarted), and fixes its quantile and multiplier", () => {
    const plan = scheme.choose({ rule: 'paper' }).plan({ workers: 4, blocks: 4, blockRows: [3, 3, 3, 3], rng: new Rng(1) });
    expect(plan.speculation).toMatchObject({ quantile: 0.9, multiplier: 1 });
    expect(plan.describe()).toMatchObject({ rule: 'paper', quantile: 0.9, multiplier: 1 });
    expect(scheme.choose({}).params).toMatchObject({ rule: 'spark', quantile: 0.75, multiplier: 1.5 });
    expect(() => scheme.choose({ rule: 'paper', quantile: 0.5 })).toThrow(/quantile is fixed by rule: paper/);
    expect(() => scheme.choose({ rule: 'hadoop' })).toThrow(/rule must be one of spark, paper/);
  });

  it("decodes exactly whichever copy answers each slot first, with or without the losing copy's late duplicate, in any order", () => {
    const K = 4;
    const p = randomProblem(5, K, 3, 4);
    const plan = scheme.choose({ backups: 2 }).plan({ workers: K, blocks: K, blockRows: blockRows(p), rng: new Rng(1) });
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    const rng = new Rng(9);
    // Backups report under their slot's id, so a pattern is: per slot, one answer (original or
    // backup) or two (the loser of the race still reports), in any arrival order.
    for (let code = 0; code < 2 ** K; code++) {
      const events: number[] = [];
      for (let s = 0; s < K; s++) for (let k = 0; k <= ((code >> s) & 1); k++) events.push(s);
      for (let trial = 0; trial < 5; trial++) {
        const d = plan.decoder();
        const seen = new Set<number>();
        for (const i of rng.permutation(events.length)) {
          const s = events[i]!;
          seen.add(s);
          expect(d.add(s, results[s]!)).toBe(seen.size === K);
        }
        const out = d.decode();
        expect(out.exact).toBe(true);
        expectClose(out.value, exact, TOL.roundoff);
      }
    }
    // Missing any one slot: not enough.
    for (let miss = 0; miss < K; miss++) {
      const d = plan.decoder();
      for (let s = 0; s < K; s++) if (s !== miss) d.add(s, results[s]!);
      expect(d.enough()).toBe(false);
    }
  });

  it('keeps the first answer of a slot when a duplicate arrives', () => {
    const plan = scheme.choose({}).plan({ workers: 2, blocks: 2, blockRows: [1, 1], rng: new Rng(1) });
    const d = plan.decoder();
    d.add(0, Float64Array.of(1));
    d.add(0, Float64Array.of(100));
    d.add(1, Float64Array.of(2));
    expect(Array.from(d.decode().value)).toEqual([3]);
  });
});
