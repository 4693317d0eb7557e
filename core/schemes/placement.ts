import { ShapeError } from '../../shared/errors';
import type { Plan, StoredBlockSpec } from './types';
import type { Matrix } from '../../shared/tensor';

/** The data a plan's stored blocks are built from: rows of A (and b), split at blockStarts. */
export interface BlockData {
  A: Matrix;
  /** Right-hand side carried with each block (least squares b, labels, ...). */
  b?: Float64Array;
  /** K+1 row offsets: data block j is rows [blockStarts[j], blockStarts[j+1]). */
  blockStarts: number[];
}

/** A block ready to stream: its id, matrix rows and optional right-hand side. */
export interface OutgoingBlock {
  id: number;
  rows: number;
  cols: number;
  data: Float64Array;
  rhs?: Float64Array;
  rowOffset: number;
}

/**
 * Builds the plan's stored blocks from the data: each is a row-wise linear combination of data
 * blocks (plain, rescaled or parity). Done once per job at the master.
 */
export function materializeStoredBlocks(plan: Plan, data: BlockData): OutgoingBlock[] {
  return plan.stored.map((spec, id) => materializeStoredBlock(spec, id, data));
}

/** Whether stored block `spec` is one data block as it is (materialized as a view, no copy, no arithmetic). */
export function isPlainStored(spec: StoredBlockSpec): boolean {
  return spec.terms.length === 1 && spec.terms[0]!.coef === 1;
}

/**
 * Stored block `id` of a plan (its `spec`) from the data: a view on A's rows when plain, else
 * the combination's values in new memory (`alloc`, default a plain array). The coded ones are
 * the long loops; the master runs them off its event loop.
 */
export function materializeStoredBlock(spec: StoredBlockSpec, id: number, data: BlockData, alloc: (length: number) => Float64Array = plainArray): OutgoingBlock {
  const { A, b, blockStarts } = data;
  const K = blockStarts.length - 1;
  if (spec.terms.length === 0) throw new ShapeError(`stored block ${id} has no terms`);
  const rowsOf = (j: number): number => {
    if (j < 0 || j >= K) throw new ShapeError(`stored block ${id} refers to data block ${j}, there are ${K}`);
    return blockStarts[j + 1]! - blockStarts[j]!;
  };
  const rows = rowsOf(spec.terms[0]!.block);
  for (const t of spec.terms) {
    if (rowsOf(t.block) !== rows) throw new ShapeError(`stored block ${id} combines data blocks of different row counts`);
  }
  const first = spec.terms[0]!;
  if (isPlainStored(spec)) {
    // A plain block: views, no copy.
    const s = blockStarts[first.block]!;
    return {
      id,
      rows,
      cols: A.cols,
      data: A.data.subarray(s * A.cols, (s + rows) * A.cols),
      ...(b ? { rhs: b.subarray(s, s + rows) } : {}),
      rowOffset: s,
    };
  }
  const out = alloc(rows * A.cols);
  const rhs = b ? alloc(rows) : undefined;
  for (const t of spec.terms) {
    const s = blockStarts[t.block]!;
    const src = A.data.subarray(s * A.cols, (s + rows) * A.cols);
    for (let i = 0; i < src.length; i++) out[i]! += t.coef * src[i]!;
    if (rhs && b) for (let i = 0; i < rows; i++) rhs[i]! += t.coef * b[s + i]!;
  }
  return { id, rows, cols: A.cols, data: out, ...(rhs ? { rhs } : {}), rowOffset: blockStarts[first.block]! };
}

const plainArray = (length: number): Float64Array => new Float64Array(length);

/** Which stored blocks each worker needs: its slots' blocks, plus those it backs up. */
export function blocksPerWorker(plan: Plan, hosts: readonly number[]): Map<number, Set<number>> {
  const need = new Map<number, Set<number>>();
  const add = (w: number, ids: number[]): void => {
    let s = need.get(w);
    if (!s) need.set(w, (s = new Set()));
    ids.forEach((i) => s!.add(i));
  };
  plan.slots.forEach((slot, s) => {
    const ids = slot.blocks.map((x) => x.stored);
    add(hosts[s]!, ids);
    for (const w of plan.speculation?.backups[s] ?? []) add(w, ids);
  });
  return need;
}

/** Equal row blocks: K+1 offsets splitting `rows` into K blocks whose sizes differ by at most one. */
export function evenBlockStarts(rows: number, K: number): number[] {
  if (K < 1 || K > rows) throw new ShapeError(`cannot split ${rows} rows into ${K} blocks`);
  const starts = [0];
  const base = Math.floor(rows / K);
  const extra = rows % K;
  for (let j = 0; j < K; j++) starts.push(starts[j]! + base + (j < extra ? 1 : 0));
  return starts;
}

/**
 * Plans name workers 0..N-1: the same plan with logical host i on physical worker live[i mod n]
 * (a lost worker leaves a gap in the indices), backups included. Pure: `plan` is not changed.
 */
export function mapPlanToLive<P extends Plan>(plan: P, live: readonly number[]): P {
  const W = live.length;
  return {
    ...plan,
    slots: plan.slots.map((s) => ({ ...s, host: live[s.host % W]! })),
    ...(plan.speculation ? { speculation: { ...plan.speculation, backups: plan.speculation.backups.map((ws) => ws.map((w) => live[w % W]!)) } } : {}),
  };
}
