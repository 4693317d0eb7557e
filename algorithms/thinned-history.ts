/**
 * A per-round series kept in bounded memory: every round while there are at most `cap`, then
 * every 2nd, 4th, ... round (the stride doubles and every other kept point goes each time the
 * series fills up). A long run's history is streamed whole to a file as it goes (the job's
 * history.jsonl); this is what stays in memory and in result.json: a uniform sample of the
 * rounds, the same points for a run of at most `cap` rounds as before.
 */
export class ThinnedHistory<T extends { round: number }> {
  private points: T[] = [];
  /** Rounds 1, 1 + every, 1 + 2·every, ... are kept. */
  every = 1;

  constructor(readonly cap: number = DEFAULT_HISTORY_CAP) {
    if (!(cap >= 2)) throw new RangeError(`a thinned history keeps at least 2 points, not ${cap}`);
  }

  push(p: T): void {
    if ((p.round - 1) % this.every !== 0) return;
    this.points.push(p);
    if (this.points.length > this.cap) {
      this.every *= 2;
      this.points = this.points.filter((q) => (q.round - 1) % this.every === 0);
    }
  }

  get kept(): readonly T[] {
    return this.points;
  }
}

/** Rounds kept whole in memory and result.json (about 0.3 kB each at 8 workers: under 1 MB). */
export const DEFAULT_HISTORY_CAP = 2000;
