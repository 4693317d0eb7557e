import { performance } from 'node:perf_hooks';
import { InputError } from '../shared/errors';

/**
 * One slice of a sharded parameter vector in shared memory (AsyncEigenPro's α_r, Algorithm 1,
 * line 1): its owner's compute thread writes it in place while the owner's event loop copies it
 * for readers, with no lock between them, so a read may hold a slice half written: the paper's
 * inconsistent read at the granularity of one element.
 *
 * One SharedArrayBuffer holds, in order:
 *   ctl     Int32 × 8: [SEQ, VERSION, FIRST]. SEQ is even at rest and odd while a write is in
 *           progress (a write adds 1 when it starts and 1 when it ends); VERSION the last version
 *           written whole; FIRST the version the slice was created at.
 *   times   Float64 × HISTORY: when each of the last HISTORY versions began to be written (µs
 *           since the Unix epoch), times[v % HISTORY].
 *   values  Float64 × length.
 *   stamps  Int32 × length: the version each element holds, stored (atomically) right after the
 *           element's value.
 *
 * One writer at a time (the owner's loop, or WriteSlice before the loop starts): a second writer
 * is refused (SliceBusyError) rather than waited for. A write records its time first, then changes
 * the elements in index order, each value then its stamp, then publishes VERSION.
 *
 * What a read says about itself:
 *   torn           SEQ changed during the copy or a write was under way when it began: some write
 *                  overlapped the copy (its elements may or may not have come out mixed);
 *   mixedElements  the copied elements hold more than one version (by their stamps): the copy
 *                  equals the slice at no instant. A stamp is stored after its value, so an element
 *                  copied in the instant between the two counts at the older version: a read can
 *                  be classed one element short of mixed, never mixed when it was not.
 * Its `version` is the lowest stamp copied (every element holds every update up to it), the slice's
 * VERSION when no values were copied.
 */
export const HISTORY = 4096;

const SEQ = 0;
const VERSION = 1;
const FIRST = 2;
const CTL_INTS = 8;
const TIMES_OFFSET = CTL_INTS * 4;
const VALUES_OFFSET = TIMES_OFFSET + HISTORY * 8;
/** Versions live in Int32 cells. */
export const MAX_VERSION = 2 ** 31 - 1;

/** µs since the Unix epoch, sub-µs resolution: the monotonic clock anchored at the process's start. */
export function nowMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** A write the slice's versions forbid (versions never go back). */
export class SliceVersionError extends InputError {}
/** A read or write of a slice this worker does not hold. */
export class UnknownSliceError extends InputError {}
/** A write while another write of the same slice is under way (two writers: never by design). */
export class SliceBusyError extends InputError {}

/** A read of one slice: the owner's answer to ReadSlice. */
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
  /** A write overlapped the copy. */
  torn: boolean;
  /** The copy holds elements of more than one version. */
  mixedElements: boolean;
}

/** What a reader may ask besides the values. */
export interface ReadOptions {
  skipValues?: boolean;
  previous?: { version: number; untilUs: number };
}

export class SharedSlice {
  private readonly ctl: Int32Array;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly stamps: Int32Array;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly start: number,
    readonly length: number,
  ) {
    this.ctl = new Int32Array(buffer, 0, CTL_INTS);
    this.times = new Float64Array(buffer, TIMES_OFFSET, HISTORY);
    this.values = new Float64Array(buffer, VALUES_OFFSET, length);
    this.stamps = new Int32Array(buffer, VALUES_OFFSET + 8 * length, length);
  }

  static bytesFor(length: number): number {
    return VALUES_OFFSET + 12 * length;
  }

  /** A new slice holding `values` at `version` (written now). */
  static create(start: number, values: Float64Array, version: number): SharedSlice {
    const s = new SharedSlice(new SharedArrayBuffer(SharedSlice.bytesFor(values.length)), start, values.length);
    s.ctl[FIRST] = version;
    s.ctl[VERSION] = version;
    s.times[version % HISTORY] = nowMicros();
    s.values.set(values);
    s.stamps.fill(version);
    return s;
  }

  /** The same slice seen from another thread (its buffer sent there). */
  static attach(buffer: SharedArrayBuffer, start: number, length: number): SharedSlice {
    if (buffer.byteLength !== SharedSlice.bytesFor(length)) throw new Error(`a slice of ${length} values takes ${SharedSlice.bytesFor(length)} bytes, the buffer has ${buffer.byteLength}`);
    return new SharedSlice(buffer, start, length);
  }

  get version(): number {
    return Atomics.load(this.ctl, VERSION);
  }

  writtenAt(version: number): number {
    return this.times[version % HISTORY]!;
  }

  /** Takes the one writer's turn (SEQ even → odd), or refuses. */
  private begin(what: string): void {
    const seq = Atomics.load(this.ctl, SEQ);
    if ((seq & 1) === 1 || Atomics.compareExchange(this.ctl, SEQ, seq, seq + 1) !== seq) {
      throw new SliceBusyError(`${what}: another write of this slice is under way`);
    }
  }

  private end(version: number): void {
    Atomics.store(this.ctl, VERSION, version);
    Atomics.add(this.ctl, SEQ, 1);
  }

  /**
   * The owner's update in place: values += delta, version + 1, element by element (a concurrent
   * reader may copy it half done). `afterElement` (tests only) runs after each element's stamp.
   * Non-finite results are refused before any element changes.
   */
  add(delta: Float64Array, describe: () => string, afterElement?: (i: number) => void): { version: number; writtenAtUs: number } {
    if (delta.length !== this.length) throw new InputError(`${describe()} has ${this.length} values, the update ${delta.length}`);
    const v = this.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]! + delta[i]!;
      if (!Number.isFinite(x)) throw new InputError(`${describe()}: value ${x} at index ${this.start + i}`);
    }
    this.begin(describe());
    const next = this.version + 1;
    if (next > MAX_VERSION) {
      Atomics.sub(this.ctl, SEQ, 1);
      throw new SliceVersionError(`${describe()}: version ${next} is past ${MAX_VERSION}`);
    }
    const t = nowMicros();
    this.times[next % HISTORY] = t;
    const st = this.stamps;
    for (let i = 0; i < v.length; i++) {
      v[i] = v[i]! + delta[i]!;
      Atomics.store(st, i, next);
      afterElement?.(i);
    }
    this.end(next);
    return { version: next, writtenAtUs: t };
  }

  /** Replaces every value at a higher `version` (WriteSlice); returns the write time. */
  put(values: Float64Array, version: number, describe: () => string): number {
    if (values.length !== this.length) throw new InputError(`${describe()} covers ${this.length} values, not ${values.length}`);
    this.begin(describe());
    const current = this.version;
    if (version <= current) {
      Atomics.sub(this.ctl, SEQ, 1);
      throw new SliceVersionError(`${describe()} is at version ${current}; a write at version ${version} would go back`);
    }
    const t = nowMicros();
    this.times[version % HISTORY] = t;
    for (let i = 0; i < values.length; i++) {
      this.values[i] = values[i]!;
      Atomics.store(this.stamps, i, version);
    }
    this.end(version);
    return t;
  }

  /** The oldest version whose write time is still known. */
  private oldestKnown(version: number): number {
    return Math.max(this.ctl[FIRST]!, version - HISTORY + 1);
  }

  /**
   * Since `previous`: when the next version was written, and how many versions were written at
   * or before `untilUs` (write times grow with the version: a binary search).
   */
  since(previous: number, untilUs: number): { next: number; count: number; complete: boolean } {
    const version = this.version;
    if (previous >= version) return { next: 0, count: 0, complete: true };
    const firstNew = previous + 1;
    if (firstNew < this.oldestKnown(version)) return { next: 0, count: 0, complete: false };
    let lo = firstNew;
    let hi = version + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.writtenAt(mid) <= untilUs) lo = mid + 1;
      else hi = mid;
    }
    return { next: this.writtenAt(firstNew), count: lo - firstNew, complete: true };
  }

  /** A copy of the slice (none with skipValues), its version and times; see SliceRead. */
  read(o: ReadOptions = {}): SliceRead {
    const seq0 = Atomics.load(this.ctl, SEQ);
    let values: Float64Array | null = null;
    let lo = MAX_VERSION;
    let hi = -1;
    if (!o.skipValues) {
      const n = this.length;
      values = new Float64Array(n);
      const src = this.values;
      const st = this.stamps;
      for (let i = 0; i < n; i++) {
        const s = Atomics.load(st, i);
        values[i] = src[i]!;
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
    }
    const seq1 = Atomics.load(this.ctl, SEQ);
    const version = hi >= 0 ? lo : this.version;
    const h = o.previous ? this.since(o.previous.version, o.previous.untilUs) : { next: 0, count: 0, complete: true };
    return {
      values,
      start: this.start,
      version,
      writtenAtUs: this.writtenAt(version),
      servedAtUs: nowMicros(),
      nextWrittenAtUs: h.next,
      writesUntil: h.count,
      historyComplete: h.complete,
      torn: seq0 !== seq1 || (seq0 & 1) === 1,
      mixedElements: hi > lo,
    };
  }
}
