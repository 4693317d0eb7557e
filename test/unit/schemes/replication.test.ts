import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import { lookupScheme } from '../../../core/schemes';
import { expectClose, TOL } from '../../helpers/expect-close';
import { blockRows, exactGradient, randomProblem, slotResults, subsets } from './simulate';

const scheme = lookupScheme('replication');

function planFor(K: number, r: number, N: number) {
  const p = randomProblem(11, K, 4, 3);
  const plan = scheme.choose({ r }).plan({ workers: N, blocks: K, blockRows: blockRows(p), rng: new Rng(1) });
  return { p, plan };
}

describe('replication', () => {
  it('puts every block on r distinct workers', () => {
    const { plan } = planFor(4, 3, 12);
    expect(plan.slots).toHaveLength(12);
    for (let j = 0; j < 4; j++) {
      const hosts = plan.slots.filter((s) => s.blocks[0]!.stored === j).map((s) => s.host);
      expect(new Set(hosts).size).toBe(3);
    }
    expect(scheme.choose({ r: 3 }).defaultBlocks(12)).toBe(4);
  });

  it('decodes exactly from every straggler pattern that leaves each block one copy, and from no other', () => {
    const K = 3;
    const r = 2;
    const { p, plan } = planFor(K, r, 6);
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    let decodable = 0;
    for (const arrived of subsets(K * r)) {
      const d = plan.decoder();
      for (const s of arrived) d.add(s, results[s]!);
      const covered = new Set(arrived.map((s) => Math.floor(s / r))).size === K;
      expect(d.enough()).toBe(covered);
      // Any r−1 stragglers are survived.
      if (arrived.length >= K * r - (r - 1)) expect(covered).toBe(true);
      if (!covered) continue;
      decodable++;
      const out = d.decode();
      expect(out.exact).toBe(true);
      expect(out.used).toHaveLength(K);
      expectClose(out.value, exact, TOL.roundoff);
    }
    expect(decodable).toBe(3 ** K); // each block: copy 1, copy 2 or both
  });

  it('signals enough at the first arrival that covers the last block', () => {
    const { p, plan } = planFor(2, 2, 4);
    const results = slotResults(plan, p, 'lsGradient');
    const d = plan.decoder();
    expect(d.add(0, results[0]!)).toBe(false);
    expect(d.add(1, results[1]!)).toBe(false); // second copy of block 0
    expect(d.add(3, results[3]!)).toBe(true);
  });

  it('rejects unknown keys, bad r, and r above the worker count', () => {
    expect(() => scheme.choose({ replicas: 2 })).toThrow(/unknown key 'replicas'/);
    expect(() => scheme.choose({ r: 0 })).toThrow(InputError);
    expect(() => scheme.choose({ r: 1.5 })).toThrow(/r must be an integer/);
    expect(() => scheme.choose({ r: 3 }).plan({ workers: 2, blocks: 1, blockRows: [4], rng: new Rng(1) })).toThrow(InputError);
  });
});
