/**
 * Persistently slow workers (Flink's slow-node blocklist for speculation, made adaptive): a worker
 * whose median slowdown over its recent rounds stays at `slowFactor` × the cluster's median or
 * more for `slowRounds` rounds is flagged. Flagging makes the chooser also weigh every candidate
 * without it; it is left out only when that is predicted faster (ignore-stragglers or replication
 * may absorb it better). A worker left out gets no work, so nothing is learned about it: every
 * `probeEvery` rounds it is sent one probe task (timed, its result unused), the interval doubling
 * after each slow probe up to `maxProbeEvery`; `recoverProbes` probes in a row under
 * `recoverFactor` × the median clear the flag.
 */
export interface BlocklistOptions {
  slowFactor?: number;
  slowRounds?: number;
  /**
   * Rounds the ratios given to `update` summarize (a median over that many recent rounds): a
   * worker first seen slow at a decision has been slow for about that long already, which counts
   * toward `slowRounds` (decisions may be many rounds apart). Default 0.
   */
  ratioRounds?: number;
  recoverFactor?: number;
  recoverProbes?: number;
  probeEvery?: number;
  maxProbeEvery?: number;
  /** At most this many flagged at once (default: fewer than half the workers). */
  maxFlagged?: number;
}

interface WorkerFlag {
  /** First round of the current run above slowFactor (undefined: not slow now). */
  slowSince?: number;
  flagged: boolean;
  /** Left out of the current plan (set by the chooser). */
  excluded: boolean;
  nextProbe: number;
  probeEvery: number;
  goodProbes: number;
  /** The round whose sample was the last probe judged. */
  lastProbeRound: number;
}

export interface BlocklistUpdate {
  /** Workers flagged as persistently slow. */
  flagged: number[];
  /** Left-out workers to probe this round. */
  probe: number[];
  /** What changed, for the decision's reason ("worker 3 at 4.1× the median for 20 rounds"). */
  events: string[];
}

export class SlowWorkerBlocklist {
  private readonly o: Required<Omit<BlocklistOptions, 'maxFlagged'>> & { maxFlagged?: number };
  private readonly flags = new Map<number, WorkerFlag>();

  constructor(opts: BlocklistOptions = {}) {
    this.o = {
      slowFactor: opts.slowFactor ?? 3,
      slowRounds: opts.slowRounds ?? 10,
      ratioRounds: opts.ratioRounds ?? 0,
      recoverFactor: opts.recoverFactor ?? 1.5,
      recoverProbes: opts.recoverProbes ?? 2,
      probeEvery: opts.probeEvery ?? 10,
      maxProbeEvery: opts.maxProbeEvery ?? 80,
      ...(opts.maxFlagged !== undefined ? { maxFlagged: opts.maxFlagged } : {}),
    };
    if (!(this.o.slowFactor > this.o.recoverFactor && this.o.recoverFactor >= 1)) throw new RangeError('blocklist: need slowFactor > recoverFactor ≥ 1');
  }

  /**
   * Re-judges every worker at `round`. `ratios`: each worker's recent median slowdown over the
   * cluster's; `latest`: for left-out workers, their latest sample (a probe) over the cluster's
   * median, with the round it came from.
   */
  update(round: number, workers: readonly number[], ratios: ReadonlyMap<number, number>, latest: ReadonlyMap<number, { ratio: number; round: number }>): BlocklistUpdate {
    const events: string[] = [];
    const maxFlagged = this.o.maxFlagged ?? Math.floor((workers.length - 1) / 2);
    for (const w of workers) {
      const f = this.flag(w);
      if (f.flagged && f.excluded) {
        const probe = latest.get(w);
        if (probe && probe.round > f.lastProbeRound) {
          f.lastProbeRound = probe.round;
          if (probe.ratio < this.o.recoverFactor) {
            f.goodProbes++;
            if (f.goodProbes >= this.o.recoverProbes) {
              this.clear(f);
              events.push(`worker ${w} recovered (probe at ${probe.ratio.toFixed(1)}× the median)`);
            } else {
              // Confirm soon.
              f.probeEvery = this.o.probeEvery;
              f.nextProbe = probe.round + f.probeEvery;
            }
          } else {
            f.goodProbes = 0;
            f.probeEvery = Math.min(2 * f.probeEvery, this.o.maxProbeEvery);
            f.nextProbe = probe.round + f.probeEvery;
          }
        }
        continue;
      }
      const r = ratios.get(w);
      if (r === undefined) continue;
      if (r >= this.o.slowFactor) {
        f.slowSince ??= round - this.o.ratioRounds;
        const flaggedNow = [...this.flags.values()].filter((x) => x.flagged).length;
        if (!f.flagged && round - f.slowSince >= this.o.slowRounds && flaggedNow < maxFlagged) {
          f.flagged = true;
          f.probeEvery = this.o.probeEvery;
          events.push(`worker ${w} at ${r.toFixed(1)}× the median for ${round - f.slowSince} rounds`);
        }
      } else if (r < this.o.recoverFactor || !f.flagged) {
        if (f.flagged) events.push(`worker ${w} back to ${r.toFixed(1)}× the median`);
        this.clear(f);
      }
    }
    const probe: number[] = [];
    for (const [w, f] of this.flags) {
      if (f.flagged && f.excluded && round >= f.nextProbe) {
        probe.push(w);
        f.nextProbe = round + f.probeEvery;
      }
    }
    return { flagged: this.flagged(), probe: probe.sort((a, b) => a - b), events };
  }

  /** The chooser's placement: these flagged workers are left out from `round` on (the rest are in). */
  setExcluded(round: number, excluded: readonly number[]): void {
    const out = new Set(excluded);
    for (const [w, f] of this.flags) {
      const now = out.has(w) && f.flagged;
      if (now && !f.excluded) {
        f.nextProbe = round + f.probeEvery;
        f.lastProbeRound = round;
        f.goodProbes = 0;
      }
      f.excluded = now;
    }
  }

  /** A worker at this many times the median (recently) counts as slow. */
  get slowFactor(): number {
    return this.o.slowFactor;
  }

  flagged(): number[] {
    return [...this.flags.entries()]
      .filter(([, f]) => f.flagged)
      .map(([w]) => w)
      .sort((a, b) => a - b);
  }

  private flag(w: number): WorkerFlag {
    let f = this.flags.get(w);
    if (!f) {
      f = { flagged: false, excluded: false, nextProbe: Infinity, probeEvery: this.o.probeEvery, goodProbes: 0, lastProbeRound: -Infinity };
      this.flags.set(w, f);
    }
    return f;
  }

  private clear(f: WorkerFlag): void {
    delete f.slowSince;
    f.flagged = false;
    f.excluded = false;
    f.goodProbes = 0;
    f.probeEvery = this.o.probeEvery;
    f.nextProbe = Infinity;
  }
}
