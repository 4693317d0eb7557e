import { InputError, ResourceError } from '../shared/errors';
import type { Matrix } from '../shared/tensor';

/** A block as a worker keeps it: the (encoded) matrix and its optional right-hand side. */
export interface StoredBlock {
  A: Matrix;
  rhs?: Float64Array;
  rowOffset: number;
}

/** Who hears of the store's changes: the compute side, which keeps its own view of the blocks. */
export interface BlockListener {
  blockPut(jobId: string, id: number, block: StoredBlock): void;
  /** ids null: every block of the job. */
  blockDrop(jobId: string, ids: readonly number[] | null): void;
  blockClear(): void;
}

/** Blocks by job and id. The worker holds nothing else between tasks. */
export class BlockStore {
  private readonly jobs = new Map<string, Map<number, StoredBlock>>();

  /**
   * `allocate` gives a block its zeroed memory: shared with the service's compute thread
   * (SharedArrayBuffer: placed once, never copied), or, computing inline, the kernel backend's
   * (Kernels.allocate: huge pages on the native backend); plain by default.
   */
  constructor(
    readonly allocate: (bytes: number) => ArrayBuffer | SharedArrayBuffer = (bytes) => new ArrayBuffer(bytes),
    private readonly listener?: BlockListener,
  ) {}

  put(jobId: string, id: number, block: StoredBlock): void {
    let m = this.jobs.get(jobId);
    if (!m) this.jobs.set(jobId, (m = new Map()));
    m.set(id, block);
    this.listener?.blockPut(jobId, id, block);
  }

  /** Whether any block of `jobId` is held. */
  holds(jobId: string): boolean {
    return (this.jobs.get(jobId)?.size ?? 0) > 0;
  }

  /** Every block: [job, id, block]. */
  *entries(): IterableIterator<[string, number, StoredBlock]> {
    for (const [jobId, m] of this.jobs) for (const [id, b] of m) yield [jobId, id, b];
  }

  get(jobId: string, id: number): StoredBlock {
    const b = this.jobs.get(jobId)?.get(id);
    if (!b) throw new InputError(`block ${id} of job '${jobId}' is not stored on this worker`);
    return b;
  }

  drop(jobId: string, ids: number[]): number {
    const m = this.jobs.get(jobId);
    if (!m) return 0;
    if (ids.length === 0) {
      this.jobs.delete(jobId);
      this.listener?.blockDrop(jobId, null);
      return m.size;
    }
    let n = 0;
    for (const id of ids) if (m.delete(id)) n++;
    this.listener?.blockDrop(jobId, ids);
    return n;
  }

  /** Drops every block of every job; returns how many. */
  clear(): number {
    const n = this.count();
    this.jobs.clear();
    this.listener?.blockClear();
    return n;
  }

  bytes(): number {
    let total = 0;
    for (const m of this.jobs.values()) {
      for (const b of m.values()) total += b.A.data.byteLength + (b.rhs?.byteLength ?? 0);
    }
    return total;
  }

  count(): number {
    let n = 0;
    for (const m of this.jobs.values()) n += m.size;
    return n;
  }
}

/**
 * Assembles blocks from a LoadBlocks stream: a header, then data chunks until the header's byte
 * count is reached. Copies each chunk once, into the block's own aligned Float64Array.
 */
export class BlockAssembler {
  private current:
    | { jobId: string; id: number; rows: number; cols: number; rowOffset: number; hasRhs: boolean; buf: Uint8Array; filled: number }
    | undefined;
  bytesReceived = 0;
  blocksDone = 0;

  constructor(
    private readonly store: BlockStore,
    /** The largest block this worker takes: a header announcing more is refused before anything is allocated. */
    private readonly maxBlockBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  header(h: { jobId: string; blockId: number; shape: number[]; hasRhs: boolean; totalBytes: string | number; rowOffset: string | number }): void {
    if (this.current) throw new InputError(`block ${this.current.id}: header for block ${h.blockId} arrived before its data was complete`);
    if (h.shape.length !== 2) throw new InputError(`block ${h.blockId}: shape must be (rows, cols), got (${h.shape.join(', ')})`);
    const [rows, cols] = h.shape as [number, number];
    if (![rows, cols].every((v) => Number.isSafeInteger(v) && v >= 0)) throw new InputError(`block ${h.blockId}: shape (${rows}, ${cols}) is not a size`);
    const rowOffset = Number(h.rowOffset);
    if (!Number.isSafeInteger(rowOffset) || rowOffset < 0) throw new InputError(`block ${h.blockId}: row offset ${h.rowOffset} is not a row`);
    const expected = rows * cols * 8 + (h.hasRhs ? rows * 8 : 0);
    if (expected > this.maxBlockBytes) throw new ResourceError(`block ${h.blockId}: ${rows}×${cols} is ${(expected / 1e6).toFixed(0)} MB, more than this worker takes (${(this.maxBlockBytes / 1e6).toFixed(0)} MB)`);
    if (Number(h.totalBytes) !== expected) {
      throw new InputError(`block ${h.blockId}: header says ${h.totalBytes} bytes, shape ${rows}×${cols} needs ${expected}`);
    }
    this.current = {
      jobId: h.jobId,
      id: h.blockId,
      rows,
      cols,
      rowOffset,
      hasRhs: h.hasRhs,
      buf: new Uint8Array(this.store.allocate(expected)),
      filled: 0,
    };
    if (expected === 0) this.finish();
  }

  data(chunk: Uint8Array): void {
    const c = this.current;
    if (!c) throw new InputError('block data arrived without a header');
    if (c.filled + chunk.byteLength > c.buf.byteLength) {
      throw new InputError(`block ${c.id}: more data than its header announced (${c.buf.byteLength} bytes)`);
    }
    c.buf.set(chunk, c.filled);
    c.filled += chunk.byteLength;
    this.bytesReceived += chunk.byteLength;
    if (c.filled === c.buf.byteLength) this.finish();
  }

  end(): void {
    if (this.current) throw new InputError(`block ${this.current.id}: stream ended after ${this.current.filled} of ${this.current.buf.byteLength} bytes`);
  }

  private finish(): void {
    const c = this.current!;
    const n = c.rows * c.cols;
    const all = new Float64Array(c.buf.buffer);
    this.store.put(c.jobId, c.id, {
      A: { rows: c.rows, cols: c.cols, data: all.subarray(0, n) },
      ...(c.hasRhs ? { rhs: all.subarray(n, n + c.rows) } : {}),
      rowOffset: c.rowOffset,
    });
    this.current = undefined;
    this.blocksDone++;
  }
}
