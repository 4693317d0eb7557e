import { describe, expect, it } from 'vitest';
import { ClusterError, InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import { lookupScheme } from '../../core/schemes';
import {
  completeResidueClass,
  frcAssignment,
  FrcDecoder,
  residueClass,
  splitEvenly,
  type FrcAssignment,
  type FrcCombine,
  type FrcRule,
} from '../../core/schemes/frc';

/** Every subset of {0..n-1} of size k, as arrays. */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i < n; i++) {
    acc.push(i);
    yield* subsets(n, k, i + 1, acc);
    acc.pop();
  }
}

/** Every permutation of `xs` (Heap's algorithm). */
function* permutations(xs: number[]): Generator<number[]> {
  const a = [...xs];
  const c = new Array<number>(a.length).fill(0);
  yield [...a];
  let i = 0;
  while (i < a.length) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      [a[j], a[i]] = [a[i]!, a[j]!];
      yield [...a];
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** The computed blocks: each task's result, and each worker's answer (its group's combination). */
function fixture(a: FrcAssignment, combine: FrcCombine, seed: number) {
  const rng = new Rng(seed);
  const len = 3;
  const taskValues = Array.from({ length: a.tasks }, () => Float64Array.from({ length: len }, () => rng.normal()));
  const groupValues = a.tasksOfGroup.map((ts) => {
    if (combine === 'concat') {
      const out = new Float64Array(ts.length * len);
      ts.forEach((t, i) => out.set(taskValues[t]!, i * len));
      return out;
    }
    const out = new Float64Array(len);
    for (const t of ts) for (let i = 0; i < len; i++) out[i]! += taskValues[t]![i]!;
    return out;
  });
  // What wait-all would return: every task once, combined in group order.
  let expected: Float64Array;
  if (combine === 'concat') {
    expected = new Float64Array(a.tasks * len);
    taskValues.forEach((v, t) => expected.set(v, t * len));
  } else {
    expected = new Float64Array(len);
    for (const gv of groupValues) for (let i = 0; i < len; i++) expected[i]! += gv[i]!;
  }
  const answer = (w: number) => groupValues[a.groupOfWorker[w]!]!;
  return { groupValues, expected, answer };
}

function sameValues(x: Float64Array, y: Float64Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/**
 * Feeds one arrival order. Checks, after every arrival, that the decoder says "enough" exactly
 * when the brute-force rule first holds (so it never waits past the first complete residue class),
 * then that the decoded value is exactly the wait-all result. Returns a failure message or null
 * (plain checks: this runs hundreds of thousands of times).
 */
function runOrder(a: FrcAssignment, combine: FrcCombine, rule: FrcRule, order: number[], fx: ReturnType<typeof fixture>): string | null {
  const d = new FrcDecoder(a, combine, rule);
  const seen = new Set<number>();
  let stopped = false;
  for (let i = 0; i < order.length && !stopped; i++) {
    const w = order[i]!;
    seen.add(w);
    const done = d.add(w, fx.answer(w));
    const truth =
      rule === 'residue'
        ? completeResidueClass(a, seen) !== undefined
        : a.workersOfGroup.every((ws) => ws.some((x) => seen.has(x)));
    if (done !== truth) return `order ${order.join(',')}: enough=${done} after ${i + 1} arrivals, brute force says ${truth}`;
    stopped = done;
  }
  if (!stopped) return `order ${order.join(',')}: never decoded`;
  const out = d.decode();
  if (!out.exact) return `order ${order.join(',')}: not exact`;
  if (!sameValues(out.value, fx.expected)) return `order ${order.join(',')}: decoded value differs from wait-all`;
  const groups = d.decodeGroups();
  for (let g = 0; g < a.groups; g++) {
    if (!sameValues(groups[g]!, fx.groupValues[g]!)) return `order ${order.join(',')}: group ${g} block differs`;
  }
  // One answer per group, each of which arrived.
  if (out.used.length !== a.groups) return `order ${order.join(',')}: used ${out.used.length} slots`;
  if (new Set(out.used.map((w) => a.groupOfWorker[w])).size !== a.groups) return `order ${order.join(',')}: a group is missing`;
  if (!out.used.every((w) => seen.has(w))) return `order ${order.join(',')}: used a slot that did not answer`;
  if (rule === 'residue') {
    const cls = residueClass(a, d.residueClass()!);
    if (!cls || cls.join() !== out.used.join()) return `order ${order.join(',')}: used ${out.used} is not a residue class`;
  }
  return null;
}

/** Every straggler pattern of size ≤ s, every arrival order (sampled when there are too many). */
function bruteForce(N: number, s: number, k: number, combine: FrcCombine, rule: FrcRule): { patterns: number; orders: number } {
  const a = frcAssignment(N, s, k);
  const fx = fixture(a, combine, 1000 * N + 10 * s + k);
  const rng = new Rng(N * 31 + s);
  let patterns = 0;
  let orders = 0;
  for (let size = 0; size <= s; size++) {
    for (const stragglers of subsets(N, size)) {
      patterns++;
      const alive = Array.from({ length: N }, (_, w) => w).filter((w) => !stragglers.includes(w));
      if (factorial(alive.length) <= 5040) {
        for (const order of permutations(alive)) {
          const failure = runOrder(a, combine, rule, order, fx);
          if (failure) expect.fail(failure);
          orders++;
        }
      } else {
        for (let r = 0; r < 300; r++) {
          const p = rng.permutation(alive.length);
          const failure = runOrder(a, combine, rule, Array.from(p, (i) => alive[i]!), fx);
          if (failure) expect.fail(failure);
          orders++;
        }
      }
    }
  }
  return { patterns, orders };
}

describe('frc assignment (Algorithm 3)', () => {
  it('follows the paper example N = 8, s = 1: pairs of consecutive workers, class l = 2 is {2,4,6,8}', () => {
    const a = frcAssignment(8, 1, 4);
    expect(a.groups).toBe(4);
    expect(a.workersOfGroup).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(a.tasksOfGroup).toEqual([[0], [1], [2], [3]]);
    // 0-based: the paper's class l = 2 (workers 2, 4, 6, 8 counted from 1) is class 1 here.
    expect(residueClass(a, 1)).toEqual([1, 3, 5, 7]);
    expect(residueClass(a, 0)).toEqual([0, 2, 4, 6]);
    expect(a.classOfWorker).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('stores each group on at least s+1 workers, and workers of one class never share a group', () => {
    for (let N = 1; N <= 14; N++) {
      for (let s = 0; s < N; s++) {
        for (const k of [1, 2, 3, 5, 8, 13, 40]) {
          const a = frcAssignment(N, s, k);
          expect(a.groups).toBe(Math.min(Math.floor(N / (s + 1)), k));
          for (const ws of a.workersOfGroup) expect(ws.length).toBeGreaterThanOrEqual(s + 1);
          expect(a.completeClasses).toBeGreaterThanOrEqual(s + 1);
          // Every task in exactly one group; group sizes differ by at most one.
          expect(a.tasksOfGroup.flat()).toEqual(Array.from({ length: k }, (_, i) => i));
          const sizes = a.tasksOfGroup.map((t) => t.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          const wsizes = a.workersOfGroup.map((t) => t.length);
          expect(Math.max(...wsizes) - Math.min(...wsizes)).toBeLessThanOrEqual(1);
          // Congruent workers (same class) hold disjoint groups.
          for (let c = 0; c < a.completeClasses; c++) {
            const groups = residueClass(a, c)!.map((w) => a.groupOfWorker[w]);
            expect(new Set(groups).size).toBe(a.groups);
          }
          // When (s+1) | N and there are enough tasks, the class is worker mod (s+1).
          if (N % (s + 1) === 0 && k >= N / (s + 1)) {
            for (let w = 0; w < N; w++) expect(a.classOfWorker[w]).toBe(w % (s + 1));
          }
        }
      }
    }
  });

  it('splits unevenly as the paper says: the remainder goes one each to the first parts', () => {
    expect(splitEvenly(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitEvenly(8, 4)).toEqual([2, 2, 2, 2]);
    const a = frcAssignment(7, 1, 3);
    expect(a.workersOfGroup).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
    expect(a.completeClasses).toBe(2);
  });

  it('refuses impossible parameters with an InputError', () => {
    expect(() => frcAssignment(4, 4, 4)).toThrow(InputError);
    expect(() => frcAssignment(4, -1, 4)).toThrow(InputError);
    expect(() => frcAssignment(0, 0, 4)).toThrow(InputError);
    expect(() => frcAssignment(4, 1, 0)).toThrow(InputError);
    expect(() => frcAssignment(4, 1.5, 4)).toThrow(InputError);
  });

  it('any N − s responders contain a complete residue class (Prop. 3, pigeonhole), checked on every subset', () => {
    for (const [N, s, k] of [[8, 1, 4], [12, 2, 4], [9, 2, 3], [7, 1, 3], [10, 2, 5], [11, 3, 7]] as const) {
      const a = frcAssignment(N, s, k);
      for (let mask = 0; mask < 1 << N; mask++) {
        const set = new Set<number>();
        for (let w = 0; w < N; w++) if (mask & (1 << w)) set.add(w);
        if (set.size >= N - s) expect(completeResidueClass(a, set), `N=${N} s=${s} set=${[...set]}`).toBeDefined();
      }
    }
  });
});

describe('frc decoder (Algorithm 4) against brute force over every straggler pattern', () => {
  const cases: [number, number, number][] = [
    [8, 1, 4], // the paper's example
    [12, 2, 4],
    [9, 2, 3],
    // uneven: (s+1) ∤ N, k ∤ ℓ, fewer tasks than groups, one group, no stragglers
    [7, 1, 3],
    [10, 2, 5],
    [8, 1, 10],
    [6, 1, 2],
    [5, 2, 2],
    [4, 0, 4],
  ];
  for (const [N, s, k] of cases) {
    for (const combine of ['sum', 'concat'] as const) {
      it(`N=${N} s=${s} k=${k} ${combine}: decodes exactly, stopping at the first complete residue class`, () => {
        const { patterns, orders } = bruteForce(N, s, k, combine, 'residue');
        expect(patterns).toBeGreaterThan(0);
        expect(orders).toBeGreaterThan(0);
      });
    }
  }
  for (const [N, s, k] of [[8, 1, 4], [9, 2, 3], [7, 1, 3]] as const) {
    it(`N=${N} s=${s} k=${k} cover rule: decodes exactly, at the first answer per group`, () => {
      bruteForce(N, s, k, 'sum', 'cover');
    });
  }

  it('on every subset of arrivals, says enough exactly when a complete class is in (order-free state)', () => {
    for (const [N, s, k] of [[12, 2, 4], [9, 2, 3], [10, 2, 5]] as const) {
      const a = frcAssignment(N, s, k);
      const fx = fixture(a, 'concat', 5);
      for (let mask = 0; mask < 1 << N; mask++) {
        const d = new FrcDecoder(a, 'concat');
        const set = new Set<number>();
        for (let w = N - 1; w >= 0; w--) {
          if (!(mask & (1 << w))) continue;
          set.add(w);
          d.add(w, fx.answer(w));
        }
        expect(d.enough()).toBe(completeResidueClass(a, set) !== undefined);
      }
    }
  });

  it('ignores duplicates and answers after it is done; refuses to decode too early', () => {
    const a = frcAssignment(4, 1, 2);
    const d = new FrcDecoder(a, 'concat');
    const v = (x: number) => Float64Array.of(x);
    expect(d.add(0, v(1))).toBe(false);
    expect(() => d.decode()).toThrow(/not enough/);
    expect(d.add(0, v(99))).toBe(false);
    expect(d.add(3, v(2))).toBe(false);
    expect(d.add(2, v(2))).toBe(true); // class 0 = {0, 2}
    expect(d.add(1, v(77))).toBe(true);
    expect(Array.from(d.decode().value)).toEqual([1, 2]);
    expect(d.canDecodeEarly()).toBe(false);
    expect(() => d.add(4, v(0))).toThrow(ClusterError);
  });
});

describe('frc scheme (least-squares gradient plan)', () => {
  it('parses its keys, naming a bad one', () => {
    const scheme = lookupScheme('frc');
    expect(scheme.choose({ stragglers: 2 }).params).toEqual({ stragglers: 2, decode: 'residue' });
    expect(() => scheme.choose({})).toThrow(/stragglers is required/);
    expect(() => scheme.choose({ stragglers: -1 })).toThrow(/stragglers/);
    expect(() => scheme.choose({ stragglers: 1, replicas: 2 })).toThrow(/unknown key 'replicas'/);
    expect(() => scheme.choose({ stragglers: 1, decode: 'fast' })).toThrow(InputError);
    expect(scheme.choose({ stragglers: 1 }).defaultBlocks(8)).toBe(4);
    expect(scheme.choose({ stragglers: 2 }).defaultBlocks(9)).toBe(3);
  });

  it('plans one slot per worker over its group, and decodes the exact gradient sum from any N − s', () => {
    const scheme = lookupScheme('frc');
    const plan = scheme.choose({ stragglers: 1 }).plan({ workers: 8, blocks: 4, blockRows: [5, 5, 5, 5], rng: new Rng(1) });
    expect(plan.stored).toEqual([0, 1, 2, 3].map((j) => ({ terms: [{ block: j, coef: 1 }] })));
    expect(plan.slots.map((s) => s.host)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.slots.map((s) => s.blocks.map((b) => b.stored))).toEqual([[0], [0], [1], [1], [2], [2], [3], [3]]);
    const d = plan.decoder();
    const grad = (g: number) => Float64Array.of(g, 10 * g);
    // Worker 0 straggles; 1, 3, 5, 7 (class 1) complete the decode.
    for (const w of [2, 1, 3, 5]) expect(d.add(w, grad(plan.slots[w]!.blocks[0]!.stored))).toBe(false);
    expect(d.add(7, grad(3))).toBe(true);
    expect(Array.from(d.decode().value)).toEqual([6, 60]);
    expect(d.decode().used).toEqual([1, 3, 5, 7]);
    expect(plan.describe()).toMatchObject({ groups: 4, groupSizes: [2, 2, 2, 2], stragglers: 1 });
  });

  it('plans uneven cases instead of refusing: N = 7, s = 1, K = 5', () => {
    const scheme = lookupScheme('frc');
    const plan = scheme.choose({ stragglers: 1 }).plan({ workers: 7, blocks: 5, blockRows: [1, 1, 1, 1, 1], rng: new Rng(1) });
    expect(plan.slots.map((s) => s.blocks.map((b) => b.stored))).toEqual([[0, 1], [0, 1], [0, 1], [2, 3], [2, 3], [4], [4]]);
    expect(() => scheme.choose({ stragglers: 2 }).plan({ workers: 2, blocks: 2, blockRows: [1, 1], rng: new Rng(1) })).toThrow(
      InputError,
    );
  });
});
