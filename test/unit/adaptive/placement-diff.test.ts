import { describe, expect, it } from 'vitest';
import { blockStartsFor, candidateSet, placementDiff, planCandidate, type PlacedLayout } from '../../../core/policy';

const ROWS = 1680;
const ALL = [0, 1, 2, 3, 4, 5, 6, 7];

function layout(label: string, workers: number[]): PlacedLayout {
  const c = candidateSet(workers.length, { approximate: true, coded: true, data: false }).find((x) => x.label === label)!;
  return { plan: planCandidate(c, { workers: workers.length, rows: ROWS, seed: 1 }), workers, blockStarts: blockStartsFor(c, ROWS) };
}

const total = (m: Map<number, number[]>): number => [...m.values()].reduce((n, ids) => n + ids.length, 0);

describe('placement diff of a re-plan', () => {
  it('a first placement sends every stored block to its holders', () => {
    const d = placementDiff(undefined, layout('replication r=2', ALL));
    expect(total(d.send)).toBe(8);
    expect(d.rowsToSend).toBe(2 * ROWS);
    expect(d.drop.size).toBe(0);
  });

  it('frc s=1 and replication r=2 hold the same blocks on the same workers: nothing moves', () => {
    const d = placementDiff(layout('frc s=1 cover', ALL), layout('replication r=2', ALL));
    expect(d.rowsToSend).toBe(0);
    expect(d.drop.size).toBe(0);
  });

  it('wait-all -> speculative adds only the backup copies; ignore-stragglers moves nothing', () => {
    const spec = placementDiff(layout('wait-all', ALL), layout('speculative q=0.75 ×1.5', ALL));
    expect(spec.rowsToSend).toBe(2 * ROWS);
    expect([...spec.send.values()].every((ids) => ids.length === 2)).toBe(true);
    expect(spec.drop.size).toBe(0);
    expect(placementDiff(layout('wait-all', ALL), layout('ignore-stragglers q=6', ALL)).rowsToSend).toBe(0);
    // And back: the backups are dropped, nothing sent.
    const back = placementDiff(layout('speculative q=0.75 ×1.5', ALL), layout('wait-all', ALL));
    expect(back.rowsToSend).toBe(0);
    expect(total(back.drop)).toBe(16);
  });

  it('leaving a worker out changes K, so the new partition is sent and the old dropped', () => {
    const without3 = ALL.filter((w) => w !== 3);
    const d = placementDiff(layout('wait-all', ALL), layout('wait-all', without3));
    expect(d.rowsToSend).toBe(ROWS);
    expect([...d.send.keys()].sort()).toEqual(without3);
    expect(total(d.drop)).toBe(8);
  });
});
