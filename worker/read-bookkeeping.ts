import { TAU_BINS } from '../shared/store';

/**
 * What an AsyncEigenPro worker counts about its reads of α, and how.
 *
 * A read gathers every slice from its owner, in parallel and without locks: slice s comes back at
 * version v_s, written at w_s(v_s) and copied at a_s (the owner's clock, µs). The next read of
 * the same worker asks each owner, for the version it got last time, when the version after it
 * was written (w_s(v_s + 1)) and how many versions were written up to this worker's own write.
 * From that, afterwards:
 *
 * - **mixed** (Definition 4's inconsistent read): no single instant of α had all the versions
 *   read. Exactly: some slice r had already been overwritten when another slice's returned version
 *   was written, w_r(v_r + 1) < max_s w_s(v_s). The read then holds a later update of slice s but
 *   misses an earlier one of r: its Q_i^t of eq. 18 is not a prefix of the updates.
 *   A read that got some slice half written (its elements of two versions: the owner's compute
 *   thread was writing it while the owner's loop copied it) is mixed too: that slice never existed.
 * - **overlapped** (the weaker "a slice written between two owners' replies"): some slice r was
 *   overwritten between its copy and the read's last copy, w_r(v_r + 1) < max_s a_s. Every mixed
 *   read is overlapped; an overlapped read may still equal α at one instant.
 * - **torn** and **element-mixed** (counted at the read, from the owners' replies): some slice's
 *   copy overlapped its owner's write, and some slice came back half written.
 * - **τ** of the update the read fed (Definition 1): writes by the other owners that landed
 *   between the read's copy of their slice and this worker's write, Σ_{s ≠ r} #{v > v_s :
 *   w_s(v) ≤ w_r(own write)}.
 *
 * The times of different owners are different processes' clocks: on one machine (local
 * clusters, one compose host) one clock; across machines the verdicts hold up to the clock skew.
 * An owner keeps the write times of its last 4096 versions; a reader that fell further behind
 * gets no verdict for that read (counted as unclassified, never guessed).
 */

/** One slice as a read got it. */
export interface SliceCopy {
  version: number;
  writtenAtUs: number;
  servedAtUs: number;
  /** The copy held elements of more than one version (its owner was writing it: shared-slice.ts). */
  mixedElements?: boolean;
}

/** What the owner said at the next read about the versions after that copy. */
export interface SliceFollowup {
  /** When version v + 1 was written; 0: not yet. */
  nextWrittenAtUs: number;
  /** Versions after v written at or before the reader's own write. */
  writesUntil: number;
  /** False: the owner no longer knew (history lost); no verdict. */
  complete: boolean;
}

export interface ReadVerdict {
  mixed: boolean;
  overlapped: boolean;
  tau: number;
}

/** The verdict on one read (copies) from the followups of the next; `own` is the reader's own slice. */
export function judgeRead(copies: readonly SliceCopy[], followups: readonly SliceFollowup[], own: number): ReadVerdict | null {
  if (copies.length !== followups.length) throw new Error(`judgeRead: ${copies.length} copies, ${followups.length} followups`);
  let latestWrite = -Infinity;
  let lastCopy = -Infinity;
  for (const c of copies) {
    latestWrite = Math.max(latestWrite, c.writtenAtUs);
    lastCopy = Math.max(lastCopy, c.servedAtUs);
  }
  let mixed = false;
  let overlapped = false;
  let tau = 0;
  for (let s = 0; s < copies.length; s++) {
    // The reader's own slice changes only by its own write, after the whole read: it can make no
    // read mixed, and its own write is no staleness.
    if (s === own) continue;
    const f = followups[s]!;
    if (!f.complete) return null;
    if (copies[s]!.mixedElements) mixed = overlapped = true;
    if (f.nextWrittenAtUs > 0) {
      if (f.nextWrittenAtUs < latestWrite) mixed = true;
      if (f.nextWrittenAtUs < lastCopy) overlapped = true;
    }
    tau += f.writesUntil;
  }
  return { mixed, overlapped, tau };
}

/** The median of the last RECENT τ steers the staleness-aware step. */
const RECENT = 32;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
}

/** Counts of one loop leg: reads, their verdicts, τ per update (exact histogram), version regressions. */
export class ReadLedger {
  reads = 0;
  classified = 0;
  mixed = 0;
  overlapped = 0;
  /** Reads that fed an update and got some other owner's slice while it was being written, and half written. */
  torn = 0;
  elementMixed = 0;
  versionRegressions = 0;
  tauKnown = 0;
  tauSum = 0;
  tauMax = 0;
  readonly tauHistogram = new Array<number>(TAU_BINS).fill(0);
  private readonly recent: number[] = [];

  /** A read that fed an update, judged (or not: null). */
  judged(v: ReadVerdict | null): void {
    if (!v) return;
    this.classified++;
    if (v.mixed) this.mixed++;
    if (v.overlapped) this.overlapped++;
    this.tau(v.tau);
  }

  /** τ of one update. */
  tau(t: number): void {
    this.tauKnown++;
    this.tauSum += t;
    this.tauMax = Math.max(this.tauMax, t);
    this.tauHistogram[Math.min(TAU_BINS - 1, t)]!++;
    this.recent.push(t);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  medianRecent(): number {
    return median(this.recent);
  }

  tauMean(): number {
    return this.tauKnown ? this.tauSum / this.tauKnown : 0;
  }
}
