/**
 * Capped exponential backoff with jitter, for a worker that keeps knocking on its master's door.
 * The jitter spreads out a fleet of workers that lost the same master at the same moment (a
 * rollout, a node drain), so the returning master is not hit by all of them at once.
 */
export interface BackoffOptions {
  /** The first wait, before jitter. */
  initialMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  multiplier: number;
  /** Share of each wait (0..1) taken off at random: 0.5 waits between half and all of it. */
  jitter: number;
}

/** Registration: 100 ms, 200 ms, ... up to 5 s between tries, each less up to half of it. */
export const REGISTER_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 0.5 };

export class Backoff {
  private attempt = 0;

  /**
   * `random` is Math.random by default on purpose: the jitter exists to decorrelate workers, and
   * a shared seed would make them wait in step. Tests pass their own.
   */
  constructor(
    private readonly o: BackoffOptions = REGISTER_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    if (!(o.initialMs > 0 && o.maxMs >= o.initialMs && o.multiplier >= 1 && o.jitter >= 0 && o.jitter <= 1)) {
      throw new RangeError(`bad backoff options ${JSON.stringify(o)}`);
    }
  }

  /** The next wait in ms: min(max, initial · multiplier^attempt), less a random share of it. */
  next(): number {
    const base = Math.min(this.o.maxMs, this.o.initialMs * this.o.multiplier ** this.attempt);
    this.attempt++;
    return base * (1 - this.o.jitter * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
