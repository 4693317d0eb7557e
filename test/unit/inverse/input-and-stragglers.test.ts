import { describe, expect, it } from 'vitest';
import { checkFullRank, columnPlan, invertInProcess, inverseProblem } from '../../../algorithms/inverse';
import { completeResidueClass } from '../../../core/schemes/frc';
import { InputError, ShapeError, SingularMatrixError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import { matrix } from '../../../shared/tensor';
import { gaussian, la } from './helpers';

describe('inverse: bad input is refused with typed errors (exit code 2)', () => {
  it('non-square A for an inverse, wide A for a pseudoinverse, empty A', () => {
    expect(() => inverseProblem('inverse', gaussian(5, 4, 1))).toThrow(ShapeError);
    expect(() => inverseProblem('pseudoinverse', gaussian(4, 5, 1))).toThrow(/rows ≥ columns/);
    expect(() => inverseProblem('inverse', matrix(0, 0))).toThrow(ShapeError);
    try {
      inverseProblem('inverse', gaussian(5, 4, 1));
    } catch (e) {
      expect((e as InputError).exitCode).toBe(2);
    }
  });

  it('NaN and Inf, naming the position', () => {
    const A = gaussian(4, 4, 1);
    A.data[6] = NaN;
    expect(() => inverseProblem('inverse', A)).toThrow(/NaN at row 1, column 2/);
    A.data[6] = Infinity;
    expect(() => inverseProblem('inverse', A)).toThrow(InputError);
  });

  it('singular A: refused by the pivoted QR before any work, naming the dependent column', async () => {
    const A = gaussian(30, 30, 2);
    for (let i = 0; i < 30; i++) A.data[i * 30 + 17] = A.data[i * 30 + 4]! * 2; // column 17 = 2·column 4
    const err = await checkFullRank(la, inverseProblem('inverse', A)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect((err as SingularMatrixError).exitCode).toBe(2);
    // Pivoting takes the longer of the two (17) first; 4 is then in its span.
    expect((err as Error).message).toMatch(/numerical rank is 29 of 30; column 4 lies in the span of the others/);
    expect((err as Error).message).toMatch(/\|R\[29,29\]\| = /);
  });

  it('rank-deficient tall A for a pseudoinverse, several dependent columns named', async () => {
    const A = gaussian(50, 10, 3);
    for (let i = 0; i < 50; i++) A.data[i * 10 + 9] = A.data[i * 10]! - A.data[i * 10 + 1]!;
    await expect(checkFullRank(la, inverseProblem('pseudoinverse', A))).rejects.toThrow(SingularMatrixError);
    const B = gaussian(50, 10, 5);
    for (let i = 0; i < 50; i++) for (const j of [6, 8]) B.data[i * 10 + j] = 0;
    await expect(checkFullRank(la, inverseProblem('pseudoinverse', B))).rejects.toThrow(/rank is 8 of 10; columns 6, 8 lie in the span/);
  });

  it('a full-rank A passes, with its pivots and rank', async () => {
    const ev = await checkFullRank(la, inverseProblem('inverse', gaussian(30, 30, 9)));
    expect(ev.rank).toBe(30);
    expect(ev.smallestPivot).toBeGreaterThan(0);
    expect(ev.largestPivot).toBeGreaterThanOrEqual(ev.smallestPivot);
    expect(ev.backend).toBe(la.name);
  });

  it('singular A that skips the QR check is caught by the solvers\' own evidence', async () => {
    const A = gaussian(20, 20, 4);
    for (let j = 0; j < 20; j++) A.data[19 * 20 + j] = A.data[3 * 20 + j]!; // row 19 = row 3
    const p = inverseProblem('inverse', A);
    await expect(invertInProcess(la, p, { workers: 4, stragglers: 1, solver: 'cg', tol: 1e-10 })).rejects.toThrow(SingularMatrixError);
  });
});

describe('inverse over frc: every straggler pattern gives the no-straggler answer', () => {
  for (const [N, s] of [[8, 1], [12, 2], [9, 2], [7, 1]] as const) {
    it(`N=${N} s=${s}: every pattern of s stragglers, a random arrival order each`, async () => {
      const p = inverseProblem('inverse', gaussian(23, 23, 8)); // 23 columns: uneven groups
      const opts = { workers: N, stragglers: s, solver: 'cg' as const, tol: 1e-10 };
      const base = await invertInProcess(la, p, opts);
      const rng = new Rng(N + s);
      const cp = columnPlan(p, N, s);
      const all = Array.from({ length: N }, (_, i) => i);
      const patterns: number[][] = [];
      const rec = (start: number, acc: number[]) => {
        if (acc.length === s) return void patterns.push([...acc]);
        for (let i = start; i < N; i++) rec(i + 1, [...acc, i]);
      };
      rec(0, []);
      for (const stragglers of patterns) {
        const alive = all.filter((w) => !stragglers.includes(w));
        const order = Array.from(rng.permutation(alive.length), (i) => alive[i]!);
        const run = await invertInProcess(la, p, opts, order);
        expect(Array.from(run.estimate.data)).toEqual(Array.from(base.estimate.data));
        // Decoded from one complete residue class, no straggler used.
        const c = completeResidueClass(cp.assignment, new Set(run.used));
        expect(c).toBeDefined();
        for (const w of run.used) expect(stragglers).not.toContain(w);
      }
    });
  }
});
