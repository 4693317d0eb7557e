import { ClusterError } from '../../shared/errors';
import type { FrcAssignment } from './frc-assignment';
import type { Decoded, RoundDecoder } from './types';

/**
 * When an frc round has heard enough:
 * - `residue` (Algorithm 4, the default): as soon as every worker of one residue class answered.
 * - `cover`: as soon as every group has some answer. Never later than `residue` (a complete class
 *   covers every group) and just as exact; decoding still prefers a complete class when one exists.
 */
export type FrcRule = 'residue' | 'cover';

/**
 * How the per-group answers make the result:
 * - `sum`: gradient coding; each slot returns the sum over its group's blocks, the result is the
 *   sum over groups (the least-squares gradient).
 * - `concat`: coded computation of blocks (the inverse); each slot returns its group's block of
 *   columns, the result is the groups' blocks concatenated in group order.
 */
export type FrcCombine = 'sum' | 'concat';

/**
 * The frc decoder: a pure state machine over the slots that answered (slot = logical worker of
 * the assignment). No clock, no network, so it is tested against brute force over every
 * straggler pattern.
 */
export class FrcDecoder implements RoundDecoder {
  private readonly arrived = new Map<number, Float64Array>();
  /** Answers seen per complete residue class. */
  private readonly classCount: number[];
  /** First slot to answer for each group (for `cover`). */
  private readonly firstOfGroup: (number | undefined)[];
  private groupsCovered = 0;
  private completedClass: number | undefined;

  constructor(
    readonly assignment: FrcAssignment,
    readonly combine: FrcCombine = 'sum',
    readonly rule: FrcRule = 'residue',
  ) {
    this.classCount = new Array<number>(assignment.completeClasses).fill(0);
    this.firstOfGroup = new Array<number | undefined>(assignment.groups).fill(undefined);
  }

  add(slot: number, value: Float64Array): boolean {
    const a = this.assignment;
    if (!Number.isInteger(slot) || slot < 0 || slot >= a.workers) throw new ClusterError(`frc decoder: no slot ${slot}`);
    if (this.arrived.has(slot)) return this.enough();
    // Summed groups must be alike (a short answer would make NaN, a long one be cut); concatenated
    // groups may differ (column groups of unequal sizes).
    const first = this.arrived.values().next().value;
    if (this.combine === 'sum' && first && first.length !== value.length) {
      throw new ClusterError(`frc decoder: slot ${slot} answered ${value.length} values, the others ${first.length}`);
    }
    this.arrived.set(slot, value);
    const g = a.groupOfWorker[slot]!;
    if (this.firstOfGroup[g] === undefined) {
      this.firstOfGroup[g] = slot;
      this.groupsCovered++;
    }
    const c = a.classOfWorker[slot]!;
    if (c < a.completeClasses) {
      this.classCount[c]!++;
      if (this.completedClass === undefined && this.classCount[c] === a.groups) this.completedClass = c;
    }
    return this.enough();
  }

  enough(): boolean {
    return this.rule === 'residue' ? this.completedClass !== undefined : this.groupsCovered === this.assignment.groups;
  }

  /** Exact only: a partial answer is not an inverse. */
  canDecodeEarly(): boolean {
    return false;
  }

  /** The residue class Algorithm 4 decodes from (the first to complete), if one has. */
  residueClass(): number | undefined {
    return this.completedClass;
  }

  /** The slot whose answer stands for each group, in group order. */
  chosenSlots(): number[] {
    if (!this.enough()) {
      throw new Error(`frc decoder: not enough answers yet (${this.arrived.size} of ${this.assignment.workers})`);
    }
    const c = this.completedClass;
    if (c !== undefined) return this.assignment.workersOfGroup.map((ws) => ws[c]!);
    return this.firstOfGroup.map((s) => s!);
  }

  /** Each group's answer, in group order (the blocks of columns, for the inverse). */
  decodeGroups(): Float64Array[] {
    return this.chosenSlots().map((s) => this.arrived.get(s)!);
  }

  decode(): Decoded {
    const slots = this.chosenSlots();
    const parts = slots.map((s) => this.arrived.get(s)!);
    let value: Float64Array;
    if (this.combine === 'sum') {
      value = new Float64Array(parts[0]!.length);
      for (const p of parts) {
        if (p.length !== value.length) throw new ClusterError(`frc decoder: group answers of lengths ${value.length} and ${p.length}`);
        for (let i = 0; i < p.length; i++) value[i]! += p[i]!;
      }
    } else {
      value = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) {
        value.set(p, off);
        off += p.length;
      }
    }
    return { value, used: [...slots].sort((x, y) => x - y), exact: true };
  }
}
