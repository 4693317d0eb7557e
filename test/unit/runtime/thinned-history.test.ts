import { describe, expect, it } from 'vitest';
import { ThinnedHistory } from '../../../algorithms';

describe('ThinnedHistory: a long run in bounded memory', () => {
  it('keeps every round up to the cap, then a uniform sample: rounds 1, 1 + k, 1 + 2k, ... with k doubling', () => {
    const h = new ThinnedHistory<{ round: number }>(8);
    for (let r = 1; r <= 8; r++) h.push({ round: r });
    expect(h.kept.map((p) => p.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.every).toBe(1);
    h.push({ round: 9 });
    expect(h.every).toBe(2);
    expect(h.kept.map((p) => p.round)).toEqual([1, 3, 5, 7, 9]);
    for (let r = 10; r <= 100_000; r++) h.push({ round: r });
    expect(h.kept.length).toBeLessThanOrEqual(8);
    const k = h.every;
    expect(h.kept.map((p) => p.round)).toEqual(h.kept.map((_, i) => 1 + i * k));
    expect(h.kept.at(-1)!.round + k).toBeGreaterThan(100_000);
  });
});
