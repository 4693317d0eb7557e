import { describe, expect, it } from 'vitest';
import { WorkerRegistry } from '../../../master/cluster/registry';

describe("the registry's live indices (asked for by every round)", () => {
  it('follow joins, losses and re-joins, ascending, as alive() does', () => {
    const r = new WorkerRegistry();
    expect(r.aliveIndices()).toEqual([]);
    r.join('127.0.0.1:5002', 1, 2, 0);
    r.join('127.0.0.1:5000', 1, 0, 0);
    expect(r.aliveIndices()).toEqual([0, 2]);
    // Unchanged between events: the same array.
    expect(r.aliveIndices()).toBe(r.aliveIndices());
    r.markLost(2, 'test');
    expect(r.aliveIndices()).toEqual([0]);
    r.join('127.0.0.1:5001', 1, -1, 0);
    expect(r.aliveIndices()).toEqual([0, 1]);
    r.join('127.0.0.1:5002', 1, 2, 0);
    expect(r.aliveIndices()).toEqual(r.alive().map((w) => w.index));
    expect(r.aliveIndices()).toEqual([0, 1, 2]);
    // A heartbeat sweep that declares a silent worker lost is seen too.
    r.sweep(10_000, 3, (w) => w !== 1);
    expect(r.aliveIndices()).toEqual([0, 2]);
    expect(Object.isFrozen(r.aliveIndices())).toBe(true);
  });
});
