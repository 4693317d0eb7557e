import { packedLength, unpackSolvedColumns, type ColumnStats } from '../../shared/kernels';
import { matrix, type Matrix } from '../../shared/tensor';
import { frcAssignment, FrcDecoder, type FrcAssignment, type FrcRule } from '../../core/schemes/frc';
import type { Plan } from '../../core/schemes';
import type { InverseProblem } from './problem';

/**
 * The inverse over fractional repetition: the unknown columns (of A⁻¹, or of (AᵀA)⁻¹ for the
 * pseudoinverse) are the frc tasks, split into ℓ = ⌊N/(s+1)⌋ consecutive column groups
 * (Algorithm 3; uneven counts split ⌈·⌉/⌊·⌋ as the paper says). Every worker stores all of A
 * (one stored block), slot w solves the columns of its group, and the frc decoder concatenates
 * the groups of the first complete residue class (Algorithm 4).
 */
/** The columns one group's answer solved (global indices) and the answer as the worker packed it. */
export interface SolvedGroup {
  columns: number[];
  packed: Float64Array;
}

export interface ColumnPlan {
  readonly assignment: FrcAssignment;
  /** The plan the cluster places and runs: one stored block (A), one slot per worker. */
  readonly plan: Plan;
  /** Unknown columns slot w solves (global indices). */
  columnsOfSlot(slot: number): readonly number[];
  /** Length of a solved column on the wire (n: a column of A⁻¹, or a row of A†). */
  readonly outLength: number;
  /**
   * The decoded value (groups concatenated in order) as the answer matrix and per-column stats,
   * with the columns of `kept` groups (solved before a master restart) filled in too.
   */
  assemble(decoded: Float64Array, kept?: readonly SolvedGroup[]): { estimate: Matrix; stats: ColumnStats[] };
}

/**
 * `columns`: the unknown columns this plan solves (default all; fewer when a resumed job kept the
 * groups solved before a master restart). The frc tasks are these columns, in this order.
 */
export function columnPlan(problem: InverseProblem, workers: number, stragglers: number, rule: FrcRule = 'residue', columns?: readonly number[]): ColumnPlan {
  const cols = columns ?? Array.from({ length: problem.unknowns }, (_, c) => c);
  const a = frcAssignment(workers, stragglers, cols.length);
  const globalOfGroup = a.tasksOfGroup.map((ts) => ts.map((t) => cols[t]!));
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
    columnsOfSlot: (slot) => globalOfGroup[a.groupOfWorker[slot]!]!,
    assemble(decoded, kept = []) {
      const expected = a.tasksOfGroup.reduce((n, ts) => n + packedLength(ts.length, outLength), 0);
      if (decoded.length !== expected) throw new Error(`inverse: decoded ${decoded.length} values, expected ${expected}`);
      const groups: SolvedGroup[] = [...kept];
      let off = 0;
      for (const gc of globalOfGroup) {
        const len = packedLength(gc.length, outLength);
        groups.push({ columns: [...gc], packed: decoded.subarray(off, off + len) });
        off += len;
      }
      return assembleGroups(problem, groups);
    },
  };
}

/** The answer matrix and per-column stats from solved groups that together cover every unknown column. */
export function assembleGroups(problem: InverseProblem, groups: readonly SolvedGroup[]): { estimate: Matrix; stats: ColumnStats[] } {
  const outLength = problem.outCols;
  const out = new Float64Array(problem.outRows * problem.outCols);
  const stats: ColumnStats[] = new Array(problem.unknowns);
  for (const { columns: gcols, packed } of groups) {
    if (packed.length !== packedLength(gcols.length, outLength)) throw new Error(`inverse: a group of ${gcols.length} columns has ${packed.length} values`);
    for (const c of gcols) if (!(Number.isInteger(c) && c >= 0 && c < problem.unknowns)) throw new Error(`inverse: a group names column ${c} of ${problem.unknowns}`);
    const g = unpackSolvedColumns(packed, gcols.length, outLength);
    gcols.forEach((c, k) => {
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
  for (let c = 0; c < problem.unknowns; c++) if (!stats[c]) throw new Error(`inverse: column ${c} was solved by no group`);
  return { estimate: matrix(problem.outRows, problem.outCols, out), stats };
}
