import { InputError } from '../shared/errors';
import { MAX_VERSION, SharedSlice, UnknownSliceError, type ReadOptions, type SliceRead } from './shared-slice';

export { HISTORY, nowMicros, SliceBusyError, SliceVersionError, UnknownSliceError, type SliceRead } from './shared-slice';

/**
 * The slices of sharded parameter vectors this worker owns (AsyncEigenPro's α, one slice per
 * worker: Algorithm 1, line 1), each in shared memory (shared-slice.ts). The master creates a
 * slice (`put`, WriteSlice); the owner's AsyncEigenPro loop changes it in place from its compute
 * thread (or `add`, in-process, when it computes inline); anyone may read it (`read`, ReadSlice)
 * from the event loop, while the thread writes: a read may hold a slice half written (counted,
 * never prevented). There is no lock across slices either, which is what lets a gathered α mix
 * versions.
 *
 * Each slice remembers when each of its last HISTORY versions was written, so a reader can learn
 * afterwards whether its read was mixed and how stale its update was (worker/read-bookkeeping.ts).
 */
export interface SliceId {
  jobId: string;
  name: string;
  slice: number;
}

function keyOf(id: SliceId): string {
  return `${id.jobId}\u0000${id.name}\u0000${id.slice}`;
}

export function describeSlice(id: SliceId): string {
  return `slice ${id.slice} of '${id.name}' (job ${id.jobId})`;
}

function checkFinite(id: SliceId, values: Float64Array, start: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new InputError(`${describeSlice(id)}: value ${values[i]} at index ${start + i}`);
  }
}

export class SliceStore {
  private readonly slices = new Map<string, SharedSlice>();

  /** `onWrite` hears of every write: `owner` (the own loop) or `rpc` (put, WriteSlice). */
  constructor(private readonly onWrite?: (by: 'owner' | 'rpc') => void) {}

  private get(id: SliceId): SharedSlice {
    const s = this.slices.get(keyOf(id));
    if (!s) throw new UnknownSliceError(`this worker holds no ${describeSlice(id)}`);
    return s;
  }

  has(id: SliceId): boolean {
    return this.slices.has(keyOf(id));
  }

  /** The slice itself, for the owner's compute thread to write in place. */
  shared(id: SliceId): SharedSlice {
    return this.get(id);
  }

  /**
   * Creates the slice, or replaces its values (same start and length) with a higher version.
   * Returns the write time.
   */
  put(id: SliceId, start: number, values: Float64Array, version: number): number {
    if (!Number.isSafeInteger(version) || version < 0 || version > MAX_VERSION) throw new InputError(`${describeSlice(id)}: version ${version} is not an integer in 0..${MAX_VERSION}`);
    if (!Number.isSafeInteger(start) || start < 0) throw new InputError(`${describeSlice(id)}: start ${start} is not a non-negative integer`);
    checkFinite(id, values, start);
    const s = this.slices.get(keyOf(id));
    if (!s) {
      const created = SharedSlice.create(start, values, version);
      this.slices.set(keyOf(id), created);
      this.onWrite?.('rpc');
      return created.writtenAt(version);
    }
    if (s.start !== start || s.length !== values.length) {
      throw new InputError(`${describeSlice(id)} covers [${s.start}, ${s.start + s.length}), not [${start}, ${start + values.length})`);
    }
    const t = s.put(values, version, () => describeSlice(id));
    this.onWrite?.('rpc');
    return t;
  }

  /** The owner's update, in-process: values += delta, version + 1. Returns the new version and its write time. */
  add(id: SliceId, delta: Float64Array): { version: number; writtenAtUs: number } {
    const w = this.get(id).add(delta, () => describeSlice(id));
    this.onWrite?.('owner');
    return w;
  }

  /** Counts a write the owner's compute thread made in place. */
  ownerWrote(): void {
    this.onWrite?.('owner');
  }

  /** A copy of the slice (none with skipValues), its version and times; see SliceRead. */
  read(id: SliceId, o: ReadOptions = {}): SliceRead {
    return this.get(id).read(o);
  }

  /** Forgets a job's slices (of one vector, or all). Returns how many. */
  drop(jobId: string, name?: string): number {
    const prefix = name ? `${jobId}\u0000${name}\u0000` : `${jobId}\u0000`;
    let n = 0;
    for (const k of [...this.slices.keys()]) {
      if (k.startsWith(prefix)) {
        this.slices.delete(k);
        n++;
      }
    }
    return n;
  }

  /** Forgets every slice (a crashed service). */
  dropAll(): void {
    this.slices.clear();
  }

  count(): number {
    return this.slices.size;
  }
}
