import { describe, expect, it } from 'vitest';
import { checkFullRank, columnPlan, invertInProcess, inverseProblem } from '../../../algorithms/inverse';
import { completeResidueClass } from '../../../core/schemes/frc';
import { InputError, ShapeError, SingularMatrixError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import { matrix } from '../../../shared/tensor';
import { gaussian } from './helpers';

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

  it('singular A: a tiny QR pivot, before any work', () => {
    const A = gaussian(30, 30, 2);
    for (let i = 0; i < 30; i++) A.data[i * 30 + 17] = A.data[i * 30 + 4]! * 2; // column 17 = 2·column 4
    const err = (() => {
      try {
        checkFullRank(inverseProblem('inverse', A));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect((err as SingularMatrixError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/QR pivot \|R\[17,17\]\|/);
  });

  it('rank-deficient tall A for a pseudoinverse', () => {
    const A = gaussian(50, 10, 3);
    for (let i = 0; i < 50; i++) A.data[i * 10 + 9] = A.data[i * 10]! - A.data[i * 10 + 1]!;
    expect(() => checkFullRank(inverseProblem('pseudoinverse', A))).toThrow(SingularMatrixError);
  });

  it('singular A that skips the QR check is caught by the solvers\' own evidence', () => {
    const A = gaussian(20, 20, 4);
    for (let j = 0; j < 20; j++) A.data[19 * 20 + j] = A.data[3 * 20 + j]!; // row 19 = row 3
    const p = inverseProblem('inverse', A);
    expect(() => invertInProcess(p, { workers: 4, stragglers: 1, solver: 'cg', tol: 1e-10 })).toThrow(SingularMatrixError);
  });
});

describe('inverse over frc: every straggler pattern gives the no-straggler answer', () => {
  for (const [N, s] of [[8, 1], [12, 2], [9, 2], [7, 1]] as const) {
    it(`N=${N} s=${s}: every pattern of s stragglers, a random arrival order each`, () => {
      const p = inverseProblem('inverse', gaussian(23, 23, 8)); // 23 columns: uneven groups
      const opts = { workers: N, stragglers: s, solver: 'cg' as const, tol: 1e-10 };
      const base = invertInProcess(p, opts);
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
        const run = invertInProcess(p, opts, order);
        expect(Array.from(run.estimate.data)).toEqual(Array.from(base.estimate.data));
        // Decoded from one complete residue class, no straggler used.
        const c = completeResidueClass(cp.assignment, new Set(run.used));
        expect(c).toBeDefined();
        for (const w of run.used) expect(stragglers).not.toContain(w);
      }
    });
  }
});
