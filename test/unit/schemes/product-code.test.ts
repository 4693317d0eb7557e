import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import { lookupScheme } from '../../../core/schemes';
import { cellTerms, defaultGrid, peels, productGrid, type ProductGrid } from '../../../core/schemes/product-grid';
import { expectClose } from '../../helpers/expect-close';
import { blockRows, exactMatVec, randomProblem, slotResults } from './simulate';

const scheme = lookupScheme('product-code');

/** The code's generator: one row per cell, 1 where the cell sums data block j. */
function generator(grid: ProductGrid): number[][] {
  return Array.from({ length: grid.cells }, (_, c) => {
    const row = new Array<number>(grid.dataBlocks).fill(0);
    for (const j of cellTerms(grid, c)) row[j] = 1;
    return row;
  });
}

/** Exact rank of an integer matrix (fraction-free Bareiss elimination in BigInt). */
function exactRank(rows: number[][]): number {
  const m = rows.map((r) => r.map((v) => BigInt(v)));
  const cols = m[0]?.length ?? 0;
  let rank = 0;
  let prev = 1n;
  for (let c = 0; c < cols && rank < m.length; c++) {
    const p = m.findIndex((r, i) => i >= rank && r[c] !== 0n);
    if (p < 0) continue;
    [m[rank], m[p]] = [m[p]!, m[rank]!];
    const piv = m[rank]![c]!;
    for (let i = rank + 1; i < m.length; i++) {
      const f = m[i]![c]!;
      for (let j = c; j < cols; j++) m[i]![j] = (piv * m[i]![j]! - f * m[rank]![j]!) / prev;
    }
    prev = piv;
    rank++;
  }
  return rank;
}

/** Rank by Gaussian elimination in floating point: exact for these small 0/1 matrices (entries stay small integers or simple fractions). */
function floatRank(rows: number[][]): number {
  const m = rows.map((r) => [...r]);
  const cols = m[0]?.length ?? 0;
  let rank = 0;
  for (let c = 0; c < cols && rank < m.length; c++) {
    let p = -1;
    for (let i = rank; i < m.length; i++) if (Math.abs(m[i]![c]!) > 1e-9 && (p < 0 || Math.abs(m[i]![c]!) > Math.abs(m[p]![c]!))) p = i;
    if (p < 0) continue;
    [m[rank], m[p]] = [m[p]!, m[rank]!];
    for (let i = rank + 1; i < m.length; i++) {
      const f = m[i]![c]! / m[rank]![c]!;
      if (f !== 0) for (let j = c; j < cols; j++) m[i]![j]! -= f * m[rank]![j]!;
    }
    rank++;
  }
  return rank;
}

/** Rank modulo a large prime (for grids too big for BigInt elimination at every sample). */
function rankModP(rows: number[][]): number {
  const P = 2147483647;
  const mul = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) % BigInt(P));
  const inv = (a: number) => {
    let [t, nt, r, nr] = [0, 1, P, a];
    while (nr !== 0) {
      const q = Math.floor(r / nr);
      [t, nt] = [nt, t - q * nt];
      [r, nr] = [nr, r - q * nr];
    }
    return ((t % P) + P) % P;
  };
  const m = rows.map((r) => r.map((v) => ((v % P) + P) % P));
  const cols = m[0]?.length ?? 0;
  let rank = 0;
  for (let c = 0; c < cols && rank < m.length; c++) {
    const p = m.findIndex((r, i) => i >= rank && r[c] !== 0);
    if (p < 0) continue;
    [m[rank], m[p]] = [m[p]!, m[rank]!];
    const pi = inv(m[rank]![c]!);
    for (let i = 0; i < m.length; i++) {
      if (i === rank || m[i]![c] === 0) continue;
      const f = mul(m[i]![c]!, pi);
      for (let j = c; j < cols; j++) m[i]![j] = (m[i]![j]! - mul(f, m[rank]![j]!) + P) % P;
    }
    rank++;
  }
  return rank;
}

/** Every data block recoverable from the cells present (the code's own limit, any decoder). */
const decodable = (G: number[][], present: number[], rank: (r: number[][]) => number, K: number) => present.length >= K && rank(present.map((c) => G[c]!)) === K;

function planFor(grid: number[], tau = 3, d = 4) {
  const K = grid.reduce((a, b) => a * b, 1);
  const p = randomProblem(5, K, tau, d);
  const cells = grid.reduce((a, k) => a * (k + 1), 1);
  const plan = scheme.choose({ grid }).plan({ workers: cells, blocks: K, blockRows: blockRows(p), rng: new Rng(1) });
  return { p, plan, results: slotResults(plan, p, 'matvec'), exact: exactMatVec(p) };
}

describe('product-code: the d-dimensional product code of Baharav et al. (ISIT 2018)', () => {
  it('lays data on a grid with one parity (the sum) per line, one slot per cell', () => {
    const g = productGrid([2, 3]);
    expect(g.cells).toBe(12);
    expect(g.dataBlocks).toBe(6);
    expect(g.lines).toHaveLength(3 + 4);
    // Cell (0, 3) is row 0's parity: data blocks 0, 1, 2; the corner (2, 3) sums all six.
    expect(cellTerms(g, 3)).toEqual([0, 1, 2]);
    expect(cellTerms(g, 11)).toEqual([0, 1, 2, 3, 4, 5]);
    // Column 1's parity (2, 1): blocks 1 and 4.
    expect(cellTerms(g, 9)).toEqual([1, 4]);
    const plan = planFor([2, 3]).plan;
    expect(plan.slots).toHaveLength(12);
    expect(plan.taskKinds).toEqual(['matvec']);
    expect(plan.describe()).toMatchObject({ grid: [2, 3], cells: 12, dataBlocks: 6, parities: 6, survivesAny: 3, decode: 'peeling' });
  });

  it('picks the largest grid whose cells fit on the workers', () => {
    expect(defaultGrid(60, 2)).toEqual([6, 7]);
    expect(defaultGrid(64, 2)).toEqual([7, 7]);
    expect(defaultGrid(64, 3)).toEqual([3, 3, 3]);
    expect(defaultGrid(9, 2)).toEqual([2, 2]);
    // Fewer workers than a 2-D grid's four corners: one line with its sum.
    expect(defaultGrid(3, 2)).toEqual([2]);
    expect(defaultGrid(7, 3)).toEqual([1, 2]);
    expect(scheme.choose({}).defaultBlocks(60)).toBe(42);
  });

  for (const grid of [[2, 2], [2, 3], [3, 3], [1, 4], [1, 1, 1], [1, 1, 2]]) {
    it(`${grid.join('×')}: over every erasure pattern, peeling completes exactly when the code can decode (exact rank), and then decodes exactly`, () => {
      const g = productGrid(grid);
      const G = generator(g);
      const { plan, results, exact } = planFor(grid);
      const rng = new Rng(7);
      let peeled = 0;
      let rankOnly = 0;
      const D = grid.length;
      for (let mask = 0; mask < 1 << g.cells; mask++) {
        const present: number[] = [];
        for (let c = 0; c < g.cells; c++) if (mask & (1 << c)) present.push(c);
        const order = Array.from(rng.permutation(present.length), (i) => present[i]!);
        const ok = peels(g, order);
        const exactly = decodable(G, present, g.cells > 16 ? floatRank : exactRank, g.dataBlocks);
        // Peeling never claims what the code cannot do; any 2^D − 1 erasures peel.
        if (ok) expect(exactly).toBe(true);
        if (g.cells - present.length < 2 ** D) expect(ok).toBe(true);
        if (exactly && !ok) rankOnly++;
        // In 2-D every cycle of erased cells holds a data cell: peeling is the code's own limit.
        // (So it is on these 3-D grids too: checked, not proved.)
        expect(ok).toBe(exactly);
        if (!ok) continue;
        peeled++;
        if (mask % 7 !== 0) continue; // decode values on a seventh of the patterns (the decoder is the same)
        const d = plan.decoder();
        let enoughAt = -1;
        order.forEach((s, i) => {
          if (d.add(s, results[s]!) && enoughAt < 0) enoughAt = i;
        });
        expect(d.enough()).toBe(true);
        // Enough exactly when the arrivals so far peel.
        expect(peels(g, order.slice(0, enoughAt + 1))).toBe(true);
        if (enoughAt > 0) expect(peels(g, order.slice(0, enoughAt))).toBe(false);
        const out = d.decode();
        expect(out.exact).toBe(true);
        expectClose(out.value, exact, { rtol: 1e-12, atol: 1e-12 });
      }
      expect(peeled).toBeGreaterThan(0);
      expect(rankOnly).toBe(0);
    });
  }

  it('8×8, 7×8 (the paper’s 60+ workers) and 3-D grids: sampled patterns peel exactly when the code can decode, and decode exactly', () => {
    for (const grid of [[8, 8], [7, 8], [1, 2, 2], [2, 2, 2], [4, 4, 4]]) {
      const g = productGrid(grid);
      const G = generator(g);
      const { plan, results, exact } = planFor(grid, 2, 3);
      const rng = new Rng(11);
      let both = 0;
      for (let t = 0; t < 300; t++) {
        // Stragglers from 0 to about a third of the cells: the heavy end of a lambda-tail round.
        const erased = Math.floor(rng.uniform() * (g.cells / 3));
        const order = Array.from(rng.permutation(g.cells).subarray(0, g.cells - erased));
        const ok = peels(g, order);
        const exactly = decodable(G, order, rankModP, g.dataBlocks);
        expect(ok).toBe(exactly);
        if (erased < 2 ** grid.length) expect(ok).toBe(true);
        if (!ok) continue;
        both++;
        const d = plan.decoder();
        for (const s of order) d.add(s, results[s]!);
        expectClose(d.decode().value, exact, { rtol: 1e-11, atol: 1e-11 });
      }
      expect(both).toBeGreaterThan(100);
    }
  });

  it('refuses what it cannot run, and bad keys', () => {
    expect(() => scheme.choose({ grid: [0, 2] })).toThrow(/grid.0 must be an integer ≥ 1/);
    expect(() => scheme.choose({ k: 4 })).toThrow(/unknown key 'k'/);
    // More cells than workers wrap around, as mds's slots do.
    expect(scheme.choose({ grid: [3, 3] }).plan({ workers: 15, blocks: 9, blockRows: new Array(9).fill(2), rng: new Rng(1) }).slots[15]!.host).toBe(0);
    expect(() => scheme.choose({ grid: [3, 3] }).check({ workers: 16, blocks: 8 })).toThrow(/holds 9 data blocks but the job has 8/);
    expect(() => scheme.choose({ grid: [2, 2] }).plan({ workers: 9, blocks: 4, blockRows: [2, 2, 2, 3], rng: new Rng(1) })).toThrow(/equal row counts/);
  });
});
