import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import {
  BlockColumnSolver,
  denseOperator,
  jsKernels,
  packSolvedColumns,
  solveColumnsBlock,
  solveInverseColumns,
  solveUnitColumns,
  type ColumnSolverName,
  type Kernels,
} from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

/**
 * The block solver (every column of a worker at once) against the column-by-column solvers it
 * replaces on the workers: with the plain-loop kernels bit for bit the same values and
 * statistics; with the native kernels the same solutions to the solvers' accuracy.
 */
const native = nativeKernelsOrSkip('block column solver');

function gaussianShifted(n: number, cols: number, shift: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: n * cols }, () => rng.normal());
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i]! += shift;
  return { rows: n, cols, data };
}

interface Case {
  name: string;
  M: Matrix;
  post?: Matrix;
  columns: number[];
  solver: ColumnSolverName;
  tol: number;
  maxIterations: number;
}

const square = gaussianShifted(40, 40, 12, 1);
const tall = gaussianShifted(90, 30, 0, 2);
const B = jsKernels.gram(tall, undefined, new Float64Array(30 * 30));
const CASES: Case[] = [
  // Columns converge after different counts, so the active set shrinks and is compacted.
  { name: 'cg, every column of a 40×40 matrix', M: square, columns: Array.from({ length: 40 }, (_, i) => i), solver: 'cg', tol: 1e-10, maxIterations: 1000 },
  { name: 'cg, a few columns out of order and repeated', M: square, columns: [7, 3, 3, 39, 0], solver: 'cg', tol: 1e-12, maxIterations: 1000 },
  { name: 'cg stopped by the iteration cap', M: square, columns: [1, 2, 3], solver: 'cg', tol: 1e-12, maxIterations: 4 },
  // More than 50 iterations: exercises the periodic residual refresh.
  { name: 'sd with backtracking', M: square, columns: [0, 5, 11, 12, 30], solver: 'sd', tol: 1e-9, maxIterations: 5000 },
  { name: 'sd stopped by the iteration cap', M: square, columns: [4, 8], solver: 'sd', tol: 1e-12, maxIterations: 7 },
  { name: 'cg for the pseudoinverse (B = AᵀA, then A applied)', M: { rows: 30, cols: 30, data: B }, post: tall, columns: [0, 9, 29, 14], solver: 'cg', tol: 1e-9, maxIterations: 1000 },
  { name: 'no columns', M: square, columns: [], solver: 'cg', tol: 1e-10, maxIterations: 100 },
  { name: 'iteration cap 0', M: square, columns: [2, 6], solver: 'sd', tol: 1e-10, maxIterations: 0 },
];

function reference(c: Case) {
  return solveUnitColumns(denseOperator(c.M), c.columns, c.solver, { tol: c.tol, maxIterations: c.maxIterations }, c.post ? denseOperator(c.post) : undefined);
}

describe('BlockColumnSolver with the plain loops is the column-by-column solver, bit for bit', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ref = reference(c);
      const block = solveColumnsBlock(jsKernels, c.M, c.columns, c.solver, { tol: c.tol, maxIterations: c.maxIterations }, c.post);
      expect(Array.from(block.values)).toEqual(Array.from(ref.values));
      expect(block.stats).toEqual(ref.stats);
      expect(block.outLength).toBe(ref.outLength);
    });
  }

  it('steps one iteration at a time (the worker yields in between) to the same result', () => {
    const c = CASES[0]!;
    const s = new BlockColumnSolver(jsKernels, c.M, c.columns, c.solver, { tol: c.tol, maxIterations: c.maxIterations });
    let steps = 0;
    while (!s.done) {
      s.step();
      steps++;
    }
    expect(steps).toBe(Math.max(...reference(c).stats.map((st) => st.iterations)));
    expect(Array.from(s.result().values)).toEqual(Array.from(reference(c).values));
    expect(() => new BlockColumnSolver(jsKernels, c.M, c.columns, c.solver, { tol: c.tol, maxIterations: 10 }).result()).toThrow('before every column finished');
  });

  it('solveInverseColumns (the in-process inverse) packs the same group as before', () => {
    const cols = [3, 1, 4];
    const opts = { tol: 1e-10, maxIterations: 1000 };
    expect(Array.from(solveInverseColumns(square, 'inverse', cols, 'cg', opts))).toEqual(Array.from(packSolvedColumns(solveUnitColumns(denseOperator(square), cols, 'cg', opts))));
  });

  it('refuses a column outside the matrix and an unknown solver', () => {
    expect(() => new BlockColumnSolver(jsKernels, square, [40], 'cg', { tol: 1e-8, maxIterations: 10 })).toThrow(InputError);
    expect(() => new BlockColumnSolver(jsKernels, square, [0], 'newton' as ColumnSolverName, { tol: 1e-8, maxIterations: 10 })).toThrow(InputError);
  });
});

describe.skipIf(!native)('BlockColumnSolver on the native kernels (one dgemm per iteration)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const js = solveColumnsBlock(jsKernels, c.M, c.columns, c.solver, { tol: c.tol, maxIterations: c.maxIterations }, c.post);
      const nat = solveColumnsBlock(native as Kernels, c.M, c.columns, c.solver, { tol: c.tol, maxIterations: c.maxIterations }, c.post);
      js.stats.forEach((st, k) => {
        const ns = nat.stats[k]!;
        expect(ns.converged, `column ${k}`).toBe(st.converged);
        // Rounding differs, so a column may stop one or two iterations earlier or later.
        expect(Math.abs(ns.iterations - st.iterations), `column ${k}: ${ns.iterations} vs ${st.iterations}`).toBeLessThanOrEqual(2);
        if (st.converged) expect(ns.gradientNorm).toBeLessThanOrEqual(c.tol);
      });
      if (js.stats.every((st) => st.converged)) {
        // Both satisfy ‖∇f‖ ≤ ε; the solutions then agree to about ε·‖M⁻¹‖² (κ is small here).
        expectClose(nat.values, js.values, { rtol: 1e-6, atol: 1e3 * c.tol });
      } else {
        // Capped after a few iterations: the same iterates up to the rounding of a few products.
        expectClose(nat.values, js.values, { rtol: 1e-9, atol: 1e-12 });
      }
    });
  }
});
