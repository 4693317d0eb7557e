import { describe, expect, it } from 'vitest';
import { chooseHost } from '../../../core/round/host-policy';
import { RoundState, type Instruction, type RoundSetup } from '../../../core/round/round-state';
import { WorkerRegistry } from '../../../master/cluster/registry';
import { lookupScheme, type Plan } from '../../../core/schemes';
import { Rng } from '../../../shared/random';

function plan(name: string, params: Record<string, unknown>, workers: number): Plan {
  const s = lookupScheme(name);
  const p = s.choose(params);
  const K = p.defaultBlocks(workers);
  return p.plan({ workers, blocks: K, blockRows: Array(K).fill(10), rng: new Rng(1) });
}

/** A round of `p` with every slot's blocks held by its planned host (and backups), workers 0..n-1 live. */
function round(p: Plan, extra: Partial<RoundSetup> = {}, workers = Math.max(...p.slots.map((s) => s.host)) + 1): RoundState {
  const holders = new Map<number, Set<number>>();
  p.slots.forEach((s, slot) => {
    for (const b of s.blocks) {
      const h = holders.get(b.stored) ?? new Set<number>();
      h.add(s.host);
      for (const w of (extra.speculation ?? p.speculation)?.backups[slot] ?? []) h.add(w);
      holders.set(b.stored, h);
    }
  });
  return new RoundState({
    hosts: p.slots.map((s) => s.host),
    live: Array.from({ length: workers }, (_, i) => i),
    slotBlocks: p.slots.map((s) => s.blocks.map((b) => b.stored)),
    holders,
    decoder: p.decoder(),
    startedAt: 0,
    ...extra,
  });
}
const v = (x: number): Float64Array => Float64Array.from([x, 2 * x]);
const types = (ins: Instruction[]): string[] => ins.map((i) => i.type);
const send = (slot: number, worker: number, place = false, backup = false): Instruction => ({ type: 'send', slot, worker, backup, place });

describe('RoundState (pure round state machine, event scripts)', () => {
  it('wait-all: sends every slot, decodes after the last, cancels nothing, needs no timer', () => {
    const st = round(plan('wait-all', {}, 4));
    expect(st.start()).toEqual([send(0, 0), send(1, 1), send(2, 2), send(3, 3)]);
    expect(st.nextDeadline()).toBeUndefined();
    expect(st.arrived(2, 2, v(3), 1)).toEqual([]);
    expect(st.arrived(0, 0, v(1), 2)).toEqual([]);
    expect(st.arrived(1, 1, v(2), 3)).toEqual([]);
    expect(types(st.arrived(3, 3, v(4), 4))).toEqual(['decode']);
    expect(Array.from(st.decode().value)).toEqual([10, 20]);
    expect(st.outstanding()).toEqual([]);
  });

  it('ignore-stragglers: decodes after q, cancels the rest and reports them as stragglers', () => {
    const st = round(plan('ignore-stragglers', { q: 2 }, 4));
    st.start();
    st.arrived(3, 3, v(4), 1);
    const ins = st.arrived(1, 1, v(2), 2);
    expect(ins).toEqual([{ type: 'cancel', slot: 0, worker: 0 }, { type: 'cancel', slot: 2, worker: 2 }, { type: 'decode' }]);
    expect(st.outstanding().map((o) => [o.slot, o.worker, o.cutAt])).toEqual([[0, 0, 2], [2, 2, 2]]);
    // first q = slots 3 and 1, rescaled by K/q = 2
    expect(Array.from(st.decode().value)).toEqual([12, 24]);
    // a late answer after the decode changes nothing
    expect(st.arrived(0, 0, v(100), 3)).toEqual([]);
  });

  it('a failed task is relocated inside the round: a send to the least loaded live worker, with its blocks placed first', () => {
    const st = round(plan('wait-all', {}, 3));
    st.start();
    // Worker 1 refuses slot 1 (draining): nobody else holds block 1, so the new host needs it placed.
    expect(st.failed(1, 1, 5)).toEqual([send(1, 0, true)]);
    expect(st.hosts).toEqual([0, 0, 2]);
    expect(st.relocations).toBe(1);
    st.arrived(0, 0, v(1), 6);
    st.arrived(2, 2, v(1), 7);
    expect(types(st.arrived(1, 0, v(1), 8))).toEqual(['decode']);
  });

  it('a worker lost mid-round: its slot moves to a live holder (nothing to place); the straggler is charged to the new host', () => {
    // replication(2) on 4 workers: slots 0,1 hold block 0 on workers 0,1; slots 2,3 block 1 on 2,3.
    const p = plan('replication', { r: 2 }, 4);
    const st = round(p);
    st.start();
    st.arrived(1, 1, v(1), 1);
    // Worker 2 dies: slot 2 moves to a live worker holding block 1, i.e. worker 3 (already busy).
    expect(st.lost(2, 2)).toEqual([send(2, 3)]);
    expect(st.hosts).toEqual([0, 1, 3, 3]);
    // A copy of block 1 arrives from slot 3: the round decodes; slot 0 (block 0's other copy)
    // and the relocated slot 2 were still out.
    const ins = st.arrived(3, 3, v(2), 3);
    expect(ins).toEqual([{ type: 'cancel', slot: 0, worker: 0 }, { type: 'cancel', slot: 2, worker: 3 }, { type: 'decode' }]);
    // Relocated slot 2 is charged to worker 3 (running it), never to the dead worker 2.
    expect(st.outstanding().map((o) => [o.slot, o.worker, o.sentAt])).toEqual([[0, 0, 0], [2, 3, 2]]);
  });

  it('a slot whose host died between rounds moves at start', () => {
    const p = plan('wait-all', {}, 3);
    const holders = new Map([[0, new Set([0])], [1, new Set([1])], [2, new Set([2])]]);
    const st = new RoundState({ hosts: [0, 1, 2], live: [0, 2], slotBlocks: [[0], [1], [2]], holders, decoder: p.decoder(), startedAt: 0 });
    expect(st.start()).toEqual([send(0, 0), send(1, 0, true), send(2, 2)]);
  });

  it('no live worker left: an exact decoder fails the round, an approximate one decodes what it has', () => {
    const exact = round(plan('wait-all', {}, 2));
    exact.start();
    exact.arrived(0, 0, v(1), 1);
    expect(exact.lost(1, 2)).toEqual([send(1, 0, true)]);
    const ins = exact.lost(0, 3);
    expect(types(ins)).toEqual(['fail']);
    expect((ins[0] as { reason: string }).reason).toMatch(/no live worker left to run slot 1/);

    const approx = round(plan('ignore-stragglers', { q: 2, timeout: 1 }, 2));
    approx.start();
    approx.arrived(0, 0, v(1), 1);
    expect(types(approx.lost(1, 2))).toEqual(['send']);
    expect(types(approx.lost(0, 3))).toEqual(['decode']);
  });

  it('task deadline: a silent task is cancelled at exactly its deadline and its slot runs elsewhere', () => {
    const st = round(plan('wait-all', {}, 3), { deadlineSeconds: 0.5 });
    st.start();
    st.arrived(0, 0, v(1), 10);
    st.arrived(2, 2, v(1), 20);
    expect(st.nextDeadline()).toBe(500);
    expect(st.tick(499)).toEqual([]);
    expect(st.tick(500)).toEqual([{ type: 'cancel', slot: 1, worker: 1 }, send(1, 0, true)]);
    expect(st.nextDeadline()).toBe(1000);
    // The late answer of the given-up copy is ignored as a copy; the slot is answered once.
    expect(types(st.arrived(1, 0, v(1), 600))).toEqual(['decode']);
  });

  it('speculation: the next deadline is the exact moment a slot passes the threshold; first answer wins', () => {
    const p = plan('wait-all', {}, 4);
    const spec = { quantile: 0.75, multiplier: 1.5, backups: [[1], [2], [3], [0]] };
    const st = round(p, { speculation: spec });
    st.start();
    st.arrived(1, 1, v(1), 10);
    st.arrived(2, 2, v(1), 10);
    expect(st.arrived(3, 3, v(1), 10)).toEqual([]); // 75% answered at 10 ms; threshold 15 ms
    expect(st.nextDeadline()).toBe(15);
    expect(st.tick(15)).toEqual([send(0, 1, false, true)]);
    expect(st.nextDeadline()).toBeUndefined(); // one backup per slot
    expect(st.arrived(0, 1, v(1), 31)).toEqual([{ type: 'cancel', slot: 0, worker: 0 }, { type: 'decode' }]);
    expect(st.backupsLaunched).toBe(1);
    // The original copy lost to its backup: a straggler cut off after 31 ms.
    expect(st.losers).toEqual([{ slot: 0, worker: 0, sentAt: 0, cutAt: 31 }]);
  });

  it('speculation, the paper’s rule (OverSketched Newton §4.4): at the 90% answer every task still out is restarted on an idle holder; first answer wins', () => {
    // 10 slots on 10 workers, each block also on the next two workers.
    const p = plan('speculative', { rule: 'paper' }, 10);
    expect(p.speculation).toMatchObject({ quantile: 0.9, multiplier: 1 });
    const st = round(p, { speculation: p.speculation! });
    expect(st.start()).toHaveLength(10);
    // Slots 0..7 answer by 40 ms: 80%, nothing launched yet (no speculation before 90%).
    for (let s = 0; s < 8; s++) expect(st.arrived(s, s, v(1), 10 + 4 * s)).toEqual([]);
    expect(st.nextDeadline()).toBeUndefined();
    // Slot 9's worker is the slow one; slot 8 answers at 50 ms: 90%. Slot 9 has been out 50 ms ≥ 1 × 50 ms:
    // it is restarted at once on its first backup holder (worker 0, idle).
    expect(st.arrived(8, 8, v(1), 50)).toEqual([send(9, 0, false, true)]);
    expect(st.backupsLaunched).toBe(1);
    // The copy answers first; the original is cut off, the round decodes (exact).
    expect(st.arrived(9, 0, v(1), 75)).toEqual([{ type: 'cancel', slot: 9, worker: 9 }, { type: 'decode' }]);
    expect(Array.from(st.decode().value)).toEqual([10, 20]);
    expect(st.losers).toEqual([{ slot: 9, worker: 9, sentAt: 0, cutAt: 75 }]);
  });

  it('speculation, the paper’s rule: a restart waits for an idle holder, and the original may still win', () => {
    const p = plan('speculative', { rule: 'paper', backups: 1 }, 10);
    const st = round(p, { speculation: p.speculation! });
    st.start();
    // Slot 8's only backup holder is worker 9, which is still busy with slot 9.
    for (const s of [0, 1, 2, 3, 4, 5, 6, 7]) st.arrived(s, s, v(1), 10);
    expect(st.arrived(0, 0, v(1), 11)).toEqual([]); // a late duplicate changes nothing
    // At 90% (slot 9 answers at 30 ms) slot 8 is restarted on worker 9, now idle.
    expect(st.arrived(9, 9, v(1), 30)).toEqual([send(8, 9, false, true)]);
    // The original answers before its copy: the copy is cut off.
    expect(st.arrived(8, 8, v(1), 31)).toEqual([{ type: 'cancel', slot: 8, worker: 9 }, { type: 'decode' }]);
  });

  it('round timeout: a tick at the timeout decodes once something arrived; otherwise the next arrival does', () => {
    const st = round(plan('ignore-stragglers', { q: 3, timeout: 0.05 }, 4), { timeoutSeconds: 0.05 });
    st.start();
    expect(st.nextDeadline()).toBe(50);
    expect(st.tick(60)).toEqual([]); // nothing arrived yet
    expect(st.nextDeadline()).toBeUndefined();
    expect(types(st.arrived(0, 0, v(1), 61))).toContain('decode');
    expect(Array.from(st.decode().value)).toEqual([4, 8]); // rescaled by K/arrived = 4
  });
});

describe('host policy', () => {
  it('prefers a holder, then the least loaded, then the lowest index', () => {
    const holders = new Map([[7, new Set([3, 5])]]);
    const load = (w: number): number => ({ 1: 0, 3: 2, 5: 1 })[w] ?? 0;
    expect(chooseHost({ candidates: [1, 3, 5], blocks: [7], holders, load })).toBe(5);
    expect(chooseHost({ candidates: [1, 4], blocks: [7], holders, load })).toBe(1);
    expect(chooseHost({ candidates: [], blocks: [7], holders, load })).toBeUndefined();
  });
});

describe('WorkerRegistry', () => {
  it('gives indices, honours requested ones, loses silent workers, re-admits', () => {
    const r = new WorkerRegistry(3);
    const lost: number[] = [];
    r.on('lost', (w) => lost.push(w.index));
    expect(r.join('a:1', 1, -1, 0).index).toBe(0);
    expect(r.join('b:1', 2, -1, 0).index).toBe(1);
    expect(r.join('c:1', 3, 5, 0).index).toBe(5);
    expect(r.heartbeat(0, 2000)).toBe(true);
    r.sweep(3500);
    expect(lost).toEqual([1, 5]);
    expect(r.heartbeat(1, 3600)).toBe(false); // must register again
    expect(r.join('b:1', 2, -1, 3700).index).toBe(1); // same address takes its index back
    expect(r.alive().map((w) => w.index)).toEqual([0, 1]);
  });
});
