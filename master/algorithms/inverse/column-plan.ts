import { packedLength, unpackSolvedColumns, type ColumnStats } from '../../../shared/kernels';
import { matrix, type Matrix } from '../../../shared/tensor';
import { frcAssignment, FrcDecoder, type FrcAssignment, type FrcRule } from '../../schemes/frc';
import type { Plan } from '../../schemes';
import type { InverseProblem } from './problem';

/**
 * The inverse over fractional repetition: the unknown columns (of A⁻¹, or of (AᵀA)⁻¹ for the
 * pseudoinverse) are the frc tasks, split into ℓ = ⌊N/(s+1)⌋ consecutive column groups
 * (Algorithm 3; uneven counts split ⌈·⌉/⌊·⌋ as the paper says). Every worker stores all of A
 * (one stored block), slot w solves the columns of its group, and the frc decoder concatenates
 * the groups of the first complete residue class (Algorithm 4).
 */
export interface ColumnPlan {
  readonly assignment: FrcAssignment;
  /** The plan the cluster places and runs: one stored block (A), one slot per worker. */
  readonly plan: Plan;
  /** Unknown columns slot w solves. */
  columnsOfSlot(slot: number): readonly number[];
  /** Length of a solved column on the wire (n: a column of A⁻¹, or a row of A†). */
  readonly outLength: number;
  /** The decoded value (groups concatenated in order) as the answer matrix and per-column stats. */
  assemble(decoded: Float64Array): { estimate: Matrix; stats: ColumnStats[] };
}

export function columnPlan(problem: InverseProblem, workers: number, stragglers: number, rule: FrcRule = 'residue'): ColumnPlan {
  const a = frcAssignment(workers, stragglers, problem.unknowns);
  const outLength = problem.outCols; // n in both cases
  const plan: Plan = {
    scheme: 'frc',
    stored: [{ terms: [{ block: 0, coef: 1 }] }],
    slots: Array.from({ length: workers }, (_, w) => ({ host: w, blocks: [{ stored: 0, weight: 1 }] })),
    decoder: () => new FrcDecoder(a, 'concat', rule),
    describe: () => ({
      scheme: 'frc',
      stragglers,
      groups: a.groups,
      groupSizes: a.workersOfGroup.map((ws) => ws.length),
      columnsPerGroup: a.tasksOfGroup.map((ts) => ts.length),
      decode: rule,
    }),
  };
  return {
    assignment: a,
    plan,
    outLength,
    columnsOfSlot: (slot) => a.tasksOfGroup[a.groupOfWorker[slot]!]!,
    assemble(decoded) {
      const expected = a.tasksOfGroup.reduce((n, ts) => n + packedLength(ts.length, outLength), 0);
      if (decoded.length !== expected) throw new Error(`inverse: decoded ${decoded.length} values, expected ${expected}`);
      const out = new Float64Array(problem.outRows * problem.outCols);
      const stats: ColumnStats[] = new Array(problem.unknowns);
      let off = 0;
      for (const cols of a.tasksOfGroup) {
        const len = packedLength(cols.length, outLength);
        const g = unpackSolvedColumns(decoded.subarray(off, off + len), cols.length, outLength);
        off += len;
        cols.forEach((c, k) => {
          const v = g.values.subarray(k * outLength, (k + 1) * outLength);
          if (problem.kind === 'inverse') {
            // v is column c of A⁻¹ (n×n row-major).
            for (let r = 0; r < outLength; r++) out[r * problem.outCols + c] = v[r]!;
          } else {
            // v is row c of A† (m×n row-major).
            out.set(v, c * problem.outCols);
          }
          stats[c] = g.stats[k]!;
        });
      }
      return { estimate: matrix(problem.outRows, problem.outCols, out), stats };
    },
  };
}
