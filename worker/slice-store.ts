import { performance } from 'node:perf_hooks';
import { InputError } from '../shared/errors';

/**
 * The slices of sharded parameter vectors this worker owns (AsyncEigenPro's α, one slice per
 * worker: Algorithm 1, line 1). Only the owner's loop changes a slice (`add`, in-process); the
 * master creates it (`put`, WriteSlice); anyone may read it (`read`, ReadSlice). A slice is
 * changed and copied whole within one turn of the event loop, so a reader never sees half of a
 * write; there is no lock across slices, which is what lets a gathered α mix versions.
 *
 * Each slice remembers when each of its last HISTORY versions was written, so a reader can learn
 * afterwards whether its read was mixed and how stale its update was (worker/read-bookkeeping.ts).
 */
export const HISTORY = 4096;

/** µs since the Unix epoch, sub-µs resolution: the monotonic clock anchored at the process's start. */
export function nowMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** A write the slice's versions forbid (versions never go back). */
export class SliceVersionError extends InputError {}
/** A read or write of a slice this worker does not hold. */
export class UnknownSliceError extends InputError {}

export interface SliceId {
  jobId: string;
  name: string;
  slice: number;
}

function keyOf(id: SliceId): string {
  return `${id.jobId}\u0000${id.name}\u0000${id.slice}`;
}

function describe(id: SliceId): string {
  return `slice ${id.slice} of '${id.name}' (job ${id.jobId})`;
}

function checkFinite(id: SliceId, values: Float64Array, start: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new InputError(`${describe(id)}: value ${values[i]} at index ${start + i}`);
  }
}

/** What a read returns: the owner's answer to ReadSlice. */
export interface SliceRead {
  values: Float64Array | null;
  start: number;
  version: number;
  writtenAtUs: number;
  servedAtUs: number;
  /** With a previous version: when the version after it was written (0: not yet). */
  nextWrittenAtUs: number;
  /** With a previous version: versions after it written at or before `untilUs`. */
  writesUntil: number;
  historyComplete: boolean;
}

/** One owned slice: its values, version, and the write times of its recent versions. */
class OwnedSlice {
  /** times[v % HISTORY] = when version v was written (µs). */
  private readonly times = new Float64Array(HISTORY);
  /** The lowest version this slice has had here (created at it). */
  private readonly first: number;

  constructor(
    readonly start: number,
    public values: Float64Array,
    public version: number,
  ) {
    this.first = version;
    this.times[version % HISTORY] = nowMicros();
  }

  commit(version: number): number {
    const t = nowMicros();
    this.version = version;
    this.times[version % HISTORY] = t;
    return t;
  }

  writtenAt(version: number): number {
    return this.times[version % HISTORY]!;
  }

  /** The oldest version whose write time is still known. */
  private oldestKnown(): number {
    return Math.max(this.first, this.version - HISTORY + 1);
  }

  /**
   * Since `previous`: when the next version was written, and how many versions were written at
   * or before `untilUs` (write times grow with the version: a binary search).
   */
  since(previous: number, untilUs: number): { next: number; count: number; complete: boolean } {
    if (previous >= this.version) return { next: 0, count: 0, complete: true };
    const firstNew = previous + 1;
    if (firstNew < this.oldestKnown()) return { next: 0, count: 0, complete: false };
    let lo = firstNew;
    let hi = this.version + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.writtenAt(mid) <= untilUs) lo = mid + 1;
      else hi = mid;
    }
    return { next: this.writtenAt(firstNew), count: lo - firstNew, complete: true };
  }
}

export class SliceStore {
  private readonly slices = new Map<string, OwnedSlice>();

  /** `onWrite` hears of every write: `owner` (add, the own loop) or `rpc` (put, WriteSlice). */
  constructor(private readonly onWrite?: (by: 'owner' | 'rpc') => void) {}

  private get(id: SliceId): OwnedSlice {
    const s = this.slices.get(keyOf(id));
    if (!s) throw new UnknownSliceError(`this worker holds no ${describe(id)}`);
    return s;
  }

  has(id: SliceId): boolean {
    return this.slices.has(keyOf(id));
  }

  /**
   * Creates the slice, or replaces its values (same start and length) with a higher version.
   * Returns the write time.
   */
  put(id: SliceId, start: number, values: Float64Array, version: number): number {
    if (!Number.isSafeInteger(version) || version < 0) throw new InputError(`${describe(id)}: version ${version} is not a non-negative integer`);
    if (!Number.isSafeInteger(start) || start < 0) throw new InputError(`${describe(id)}: start ${start} is not a non-negative integer`);
    checkFinite(id, values, start);
    const s = this.slices.get(keyOf(id));
    if (!s) {
      const created = new OwnedSlice(start, Float64Array.from(values), version);
      this.slices.set(keyOf(id), created);
      this.onWrite?.('rpc');
      return created.writtenAt(version);
    }
    if (s.start !== start || s.values.length !== values.length) {
      throw new InputError(`${describe(id)} covers [${s.start}, ${s.start + s.values.length}), not [${start}, ${start + values.length})`);
    }
    if (version <= s.version) throw new SliceVersionError(`${describe(id)} is at version ${s.version}; a write at version ${version} would go back`);
    s.values.set(values);
    this.onWrite?.('rpc');
    return s.commit(version);
  }

  /** The owner's update: values += delta, version + 1. Returns the new version and its write time. */
  add(id: SliceId, delta: Float64Array): { version: number; writtenAtUs: number } {
    const s = this.get(id);
    if (delta.length !== s.values.length) throw new InputError(`${describe(id)} has ${s.values.length} values, the update ${delta.length}`);
    const next = new Float64Array(s.values.length);
    for (let i = 0; i < next.length; i++) next[i] = s.values[i]! + delta[i]!;
    checkFinite(id, next, s.start);
    s.values = next;
    this.onWrite?.('owner');
    const version = s.version + 1;
    return { version, writtenAtUs: s.commit(version) };
  }

  /** A copy of the slice (none with skipValues), its version and times; see SliceRead. */
  read(id: SliceId, o: { skipValues?: boolean; previous?: { version: number; untilUs: number } } = {}): SliceRead {
    const s = this.get(id);
    const h = o.previous ? s.since(o.previous.version, o.previous.untilUs) : { next: 0, count: 0, complete: true };
    return {
      values: o.skipValues ? null : s.values.slice(),
      start: s.start,
      version: s.version,
      writtenAtUs: s.writtenAt(s.version),
      servedAtUs: nowMicros(),
      nextWrittenAtUs: h.next,
      writesUntil: h.count,
      historyComplete: h.complete,
    };
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

  count(): number {
    return this.slices.size;
  }
}
