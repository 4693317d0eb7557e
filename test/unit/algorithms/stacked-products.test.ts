import { describe, expect, it } from 'vitest';
import { CodedProducts, StackDecoder, stackedPlan } from '../../../algorithms/coded';
import type { BlockData, PlacedPlan } from '../../../algorithms/compute-cluster';
import { chooseScheme, type Plan } from '../../../core/schemes';
import { Rng } from '../../../shared/random';
import { matrix, type Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { InProcessCluster } from '../logistic/in-process-cluster';

/**
 * The gradient's products uncoded (the baseline of OverSketched Newton's Fig. 6: speculative
 * execution, wait-all, replication): one plain block a slot, stacked in block order.
 */

/** Records what each placement stores, so a test can see the blocks the slots compute on. */
class RecordingCluster extends InProcessCluster {
  readonly placedData = new Map<string, BlockData>();
  override async place(jobId: string, plan: Plan, data: BlockData): Promise<PlacedPlan> {
    this.placedData.set(jobId, data);
    return super.place(jobId, plan, data);
  }
}

/** M·v by plain loops (the reference). */
function matvec(M: Matrix, v: Float64Array): Float64Array {
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) out[i]! += M.data[i * M.cols + j]! * v[j]!;
  return out;
}

function transpose(M: Matrix): Matrix {
  const T = new Float64Array(M.rows * M.cols);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) T[j * M.rows + i] = M.data[i * M.cols + j]!;
  return matrix(M.cols, M.rows, T);
}

describe('uncoded products (stacked)', () => {
  // d = 12 columns in K = 5 blocks: equal blocks would be 3 rows of Xᵀ each, 15 rows, the last
  // block all padding (a task that computes nothing, carries u and is waited for).
  const rng = new Rng(11);
  const n = 37;
  const d = 12;
  const X = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal()));

  for (const spec of [{ name: 'speculative', rule: 'paper' }, { name: 'wait-all' }, { name: 'replication', r: 2 }] as const) {
    it(`${spec.name}: every block holds rows of X (none all padding), and the products are exact`, async () => {
      const cluster = new RecordingCluster(10, 3);
      const coded = await CodedProducts.place(cluster, 'p', X, chooseScheme(spec), 5, 7, {}, spec.name === 'replication' ? 10 : 5);
      for (const [suffix, rows] of [
        ['x', n],
        ['xt', d],
      ] as const) {
        const data = cluster.placedData.get(`p-${suffix}`)!;
        // The blocks cover exactly the real rows, as evenly as they go (sizes differ by at most one).
        expect(data.blockStarts[0]).toBe(0);
        expect(data.blockStarts[data.blockStarts.length - 1]).toBe(rows);
        const sizes = data.blockStarts.slice(1).map((e, j) => e - data.blockStarts[j]!);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
      for (let t = 0; t < 5; t++) {
        const v = Float64Array.from({ length: d }, () => rng.normal());
        const u = Float64Array.from({ length: n }, () => rng.normal());
        const xv = await coded.timesX(v);
        const xtu = await coded.timesXT(u);
        expectClose(xv.value, matvec(X, v));
        expectClose(xtu.value, matvec(transpose(X), u));
        // Every row's product computed once: one pass over X each, no padding charged.
        expect(xv.passes).toBeCloseTo(1, 12);
        expect(xtu.passes).toBeCloseTo(1, 12);
      }
      await coded.release();
    });
  }
});

describe('StackDecoder against brute force', () => {
  // 4 blocks of 2, 1, 3, 1 rows on 7 slots (slots 4–6 hold copies of blocks 0, 2, 2).
  const blockRows = [2, 1, 3, 1];
  const blockOfSlot = [0, 1, 2, 3, 0, 2, 2];
  const offsets = [0, 2, 3, 6, 7];
  const answer = (slot: number): Float64Array => Float64Array.from({ length: blockRows[blockOfSlot[slot]!]! }, (_, i) => 10 * blockOfSlot[slot]! + i + 1);
  const truth = Float64Array.from([1, 2, 11, 21, 22, 23, 31]);

  it('is enough exactly when every block has answered, in every arrival order of every subset, and stacks the first answer per block', () => {
    const S = blockOfSlot.length;
    let checked = 0;
    for (let mask = 0; mask < 1 << S; mask++) {
      const subset = Array.from({ length: S }, (_, s) => s).filter((s) => mask & (1 << s));
      // Two orders per subset: ascending and descending (the first answer per block differs).
      for (const order of [subset, [...subset].reverse()]) {
        const dec = new StackDecoder(blockOfSlot, offsets);
        let enoughAt = -1;
        order.forEach((slot, k) => {
          if (enoughAt < 0 && dec.add(slot, answer(slot))) enoughAt = k;
        });
        const covered = new Set(order.map((s) => blockOfSlot[s]));
        expect(dec.enough()).toBe(covered.size === blockRows.length);
        if (!dec.enough()) {
          expect(() => dec.decode()).toThrow(/blocks answered/);
          continue;
        }
        // Enough at the first prefix that covers every block.
        const firstCover = order.findIndex((_, k) => new Set(order.slice(0, k + 1).map((s) => blockOfSlot[s])).size === blockRows.length);
        expect(enoughAt).toBe(firstCover);
        const out = dec.decode();
        expect(Array.from(out.value)).toEqual(Array.from(truth));
        // Used: the first slot to answer for each block.
        const firsts = blockRows.map((_, j) => order.find((s) => blockOfSlot[s] === j)!);
        expect([...out.used].sort()).toEqual(firsts.sort());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('refuses an answer of the wrong length and an unknown slot', () => {
    const dec = new StackDecoder(blockOfSlot, offsets);
    expect(() => dec.add(0, new Float64Array(3))).toThrow(/slot 0 sent 3 values, expected 2/);
    expect(() => dec.add(9, new Float64Array(1))).toThrow(/no slot 9/);
  });

  it('stackedPlan refuses a slot that is not one plain block, and a block on no slot', () => {
    const plain: Plan = chooseScheme({ name: 'wait-all' }).plan({ workers: 3, blocks: 3, blockRows: [1, 1, 1], rng: new Rng(1) });
    expect(() => stackedPlan({ ...plain, slots: plain.slots.slice(0, 2) }, [1, 1, 1])).toThrow(/each of the 3 data blocks on a slot \(2 are\)/);
    const scaled = { ...plain, slots: plain.slots.map((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, weight: 2 })) })) };
    expect(() => stackedPlan(scaled, [1, 1, 1])).toThrow(/slot 0 is not one plain data block/);
  });
});
