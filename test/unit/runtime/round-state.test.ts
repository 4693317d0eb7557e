import { describe, expect, it } from 'vitest';
import { RoundState, type Instruction } from '../../../master/cluster/round-state';
import { WorkerRegistry } from '../../../master/cluster/registry';
import { lookupScheme } from '../../../master/schemes';
import { Rng } from '../../../shared/random';

function plan(name: string, params: Record<string, unknown>, workers: number) {
  const s = lookupScheme(name);
  const p = s.parse(params);
  const K = s.defaultBlocks(workers, p);
  return s.plan({ workers, blocks: K, blockRows: Array(K).fill(10), rng: new Rng(1), params: p });
}
const v = (x: number): Float64Array => Float64Array.from([x, 2 * x]);
const types = (ins: Instruction[]): string[] => ins.map((i) => i.type);

describe('RoundState (pure round state machine)', () => {
  it('wait-all: sends every slot, decodes after the last, cancels nothing', () => {
    const p = plan('wait-all', {}, 4);
    const st = new RoundState(p.slots.map((s) => s.host), p.decoder(), 0);
    expect(types(st.start())).toEqual(['send', 'send', 'send', 'send']);
    expect(st.arrived(2, 2, v(3), 1)).toEqual([]);
    expect(st.arrived(0, 0, v(1), 2)).toEqual([]);
    expect(st.arrived(1, 1, v(2), 3)).toEqual([]);
    expect(types(st.arrived(3, 3, v(4), 4))).toEqual(['decode']);
    expect(Array.from(st.decode().value)).toEqual([10, 20]);
    expect(st.outstanding()).toEqual([]);
  });

  it('ignore-stragglers: decodes after q, cancels the rest and reports them as stragglers', () => {
    const p = plan('ignore-stragglers', { q: 2 }, 4);
    const st = new RoundState(p.slots.map((s) => s.host), p.decoder(), 0);
    st.start();
    st.arrived(3, 3, v(4), 1);
    const ins = st.arrived(1, 1, v(2), 2);
    expect(ins).toEqual([{ type: 'cancel', slot: 0, worker: 0 }, { type: 'cancel', slot: 2, worker: 2 }, { type: 'decode' }]);
    expect(st.outstanding().map((o) => o.slot)).toEqual([0, 2]);
    // first q = slots 3 and 1, rescaled by K/q = 2
    expect(Array.from(st.decode().value)).toEqual([12, 24]);
    // a late answer after the decode changes nothing
    expect(st.arrived(0, 0, v(100), 3)).toEqual([]);
  });

  it('a failed task relocates its slot; the relocated copy counts', () => {
    const p = plan('wait-all', {}, 3);
    const st = new RoundState(p.slots.map((s) => s.host), p.decoder(), 0);
    st.start();
    expect(st.failed(1, 1)).toEqual([{ type: 'relocate', slot: 1, from: 1 }]);
    st.resent(1, 2, 5);
    st.arrived(0, 0, v(1), 6);
    st.arrived(2, 2, v(1), 7);
    expect(types(st.arrived(1, 2, v(1), 8))).toEqual(['decode']);
  });

  it('speculation: launches one backup on an idle holder once a slot passes the quantile threshold; first answer wins', () => {
    const p = plan('wait-all', {}, 4);
    const spec = { quantile: 0.75, multiplier: 1.5, backups: [[1], [2], [3], [0]] };
    const st = new RoundState(p.slots.map((s) => s.host), p.decoder(), 0, spec);
    st.start();
    st.arrived(1, 1, v(1), 10);
    st.arrived(2, 2, v(1), 10);
    expect(st.arrived(3, 3, v(1), 10)).toEqual([]); // 75% answered at 10 ms; threshold 15 ms
    expect(st.tick(14)).toEqual([]);
    expect(st.tick(16)).toEqual([{ type: 'send', slot: 0, worker: 1, backup: true }]);
    expect(st.tick(30)).toEqual([]); // one backup per slot
    expect(st.arrived(0, 1, v(1), 31)).toEqual([{ type: 'cancel', slot: 0, worker: 0 }, { type: 'decode' }]);
    expect(st.backupsLaunched).toBe(1);
    // The original copy lost to its backup: a straggler cut off after 31 ms.
    expect(st.losers).toEqual([{ slot: 0, worker: 0, sentAt: 0, cutAt: 31 }]);
  });

  it('round timeout decodes early only when the decoder allows it', () => {
    const p = plan('ignore-stragglers', { q: 3, timeout: 0.05 }, 4);
    const st = new RoundState(p.slots.map((s) => s.host), p.decoder(), 0, undefined, p.roundTimeout);
    st.start();
    expect(st.tick(60)).toEqual([]); // nothing arrived yet
    st.arrived(0, 0, v(1), 61);
    expect(types(st.tick(62))).toContain('decode');
    expect(Array.from(st.decode().value)).toEqual([4, 8]); // rescaled by K/arrived = 4
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
