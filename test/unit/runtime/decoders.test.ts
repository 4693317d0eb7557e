import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../../shared/errors';
import { lookupScheme } from '../../../core/schemes';
import { Rng } from '../../../shared/random';
import { expectClose, TOL } from '../../helpers/expect-close';

/** All subsets of {0..n-1} of size k. */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) return yield [...acc];
  for (let i = start; i < n; i++) yield* subsets(n, k, i + 1, [...acc, i]);
}

describe('wait-all and ignore-stragglers decoders against brute force', () => {
  const N = 6;
  const rng = new Rng(4);
  const values = Array.from({ length: N }, () => Float64Array.from({ length: 3 }, () => rng.normal()));
  const exact = values.reduce((acc, v) => acc.map((a, i) => a + v[i]!), new Float64Array(3));

  it('wait-all is exact and needs every slot, in every arrival order of the last one', () => {
    const s = lookupScheme('wait-all');
    const plan = s.choose({}).plan({ workers: N, blocks: N, blockRows: Array(N).fill(1), rng });
    for (let last = 0; last < N; last++) {
      const d = plan.decoder();
      for (let i = 0; i < N; i++) if (i !== last) expect(d.add(i, values[i]!)).toBe(false);
      expect(d.add(last, values[last]!)).toBe(true);
      const out = d.decode();
      expect(out.exact).toBe(true);
      expectClose(out.value, exact, TOL.roundoff);
    }
  });

  it('ignore-stragglers decodes every q-subset to (K/q)·(sum of that subset), and is unbiased over subsets', () => {
    const q = 4;
    const s = lookupScheme('ignore-stragglers');
    const plan = s.choose({ q }).plan({ workers: N, blocks: N, blockRows: Array(N).fill(1), rng });
    const mean = new Float64Array(3);
    let count = 0;
    for (const sub of subsets(N, q)) {
      const d = plan.decoder();
      sub.forEach((i, k) => expect(d.add(i, values[i]!)).toBe(k === q - 1));
      const out = d.decode();
      const expected = sub.reduce((acc, i) => acc.map((a, j) => a + (N / q) * values[i]![j]!), new Float64Array(3));
      expectClose(out.value, expected, TOL.roundoff);
      expect(out.used).toEqual(sub);
      out.value.forEach((v, j) => (mean[j]! += v));
      count++;
    }
    expectClose(mean.map((m) => m / count), exact, TOL.roundoff);
  });

  it('rejects unknown schemes and keys by name', () => {
    expect(() => lookupScheme('nope')).toThrow(/unknown scheme 'nope' \(known: wait-all, ignore-stragglers/);
    expect(() => lookupScheme('ignore-stragglers').choose({ qq: 1 })).toThrow("unknown key 'qq'");
  });
});

describe('decoders refuse answers that do not fit, with a ClusterError (never NaN, never a silent cut)', () => {
  const plan = (name: string, params: Record<string, unknown>, workers: number, blocks: number) =>
    lookupScheme(name).choose(params).plan({ workers, blocks, blockRows: Array(blocks).fill(2), rng: new Rng(2) });
  const v = (n: number) => new Float64Array(n).fill(1);

  it.each([
    ['wait-all', {}, 3, 3],
    ['replication', { r: 2 }, 4, 2],
    ['ignore-stragglers', { q: 2 }, 3, 3],
    ['frc', { stragglers: 1 }, 4, 4],
  ] as const)('%s: an answer shorter or longer than the first one', (name, params, workers, blocks) => {
    for (const n of [2, 4]) {
      const d = plan(name, params, workers, blocks).decoder();
      d.add(0, v(3));
      expect(() => d.add(1, v(n))).toThrow(ClusterError);
      expect(() => d.add(1, v(n))).toThrow(/answered \d values, the others 3/);
    }
  });

  it('mds: a slot outside the code or an answer of the wrong length', () => {
    const d = plan('mds', { n: 4, k: 3 }, 4, 3).decoder();
    expect(() => d.add(4, v(2))).toThrow(ClusterError);
    expect(() => d.add(-1, v(2))).toThrow(ClusterError);
    expect(() => d.add(0, v(3))).toThrow(/slot 0 sent 3 values, expected 2/);
  });

  it('a sum decoder refuses a slot that is no slot', () => {
    const d = plan('wait-all', {}, 3, 3).decoder();
    expect(() => d.add(-1, v(3))).toThrow(ClusterError);
    expect(() => d.add(0.5, v(3))).toThrow(ClusterError);
  });
});
