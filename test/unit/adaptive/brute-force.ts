/**
 * An independent path to each scheme's round time, for checking the chooser: plain formulas over
 * one round's true slowdowns, written from the schemes' documented layouts (wait-all's slot j on
 * worker j; replication's copy c of block j as slot j·r + c; frc's consecutive groups; speculative
 * backups on the next two workers), without the plans, the decoders or the simulator.
 */
import type { Candidate, Placement } from '../../../core/policy';
import type { Rng } from '../../../shared/random';

export interface BruteRound {
  seconds: number;
  /** Each used worker's work and its finish time in the first round (Infinity if it never finishes). */
  finish: Map<number, { work: number; seconds: number }>;
}

/** One iteration of `p` when physical worker w's slowdown is draw()[w] (a new draw per cluster round). */
export function bruteIteration(p: Placement, jobWorkers: number, draw: () => Float64Array): BruteRound {
  let seconds = 0;
  let finish = new Map<number, { work: number; seconds: number }>();
  for (let r = 0; r < p.candidate.roundsPerIteration; r++) {
    const s = draw();
    const round = bruteRound(p.candidate, p.workers.map((w) => s[w]!), jobWorkers);
    seconds += round.seconds;
    if (r === 0) finish = new Map(round.finish.map((f, i) => [p.workers[i]!, f]));
  }
  return { seconds, finish };
}

function kthSmallest(xs: number[], k: number): number {
  return [...xs].sort((a, b) => a - b)[k - 1]!;
}

/** One round; slow[i] is logical worker i's slowdown. */
function bruteRound(c: Candidate, slow: number[], N: number): { seconds: number; finish: { work: number; seconds: number }[] } {
  const n = slow.length;
  const work = N / c.blocks;
  const idle = (): { work: number; seconds: number }[] => slow.map(() => ({ work: 0, seconds: 0 }));
  switch (c.scheme) {
    case 'wait-all':
    case 'ignore-stragglers':
    case 'speculative': {
      const t = slow.map((s) => s * work);
      const finish = t.map((seconds) => ({ work, seconds }));
      if (c.scheme === 'wait-all') return { seconds: Math.max(...t), finish };
      if (c.scheme === 'ignore-stragglers') return { seconds: kthSmallest(t, c.params.q as number), finish };
      return { seconds: speculate(t, slow, work, c.params.quantile as number, c.params.multiplier as number), finish };
    }
    case 'mds': {
      // A coded product over N/k of the rows: half a gradient's flops a row (chaos.delay.work: ops).
      const w = N / (2 * (c.params.k as number));
      const t = slow.map((s) => s * w);
      return { seconds: kthSmallest(t, c.params.k as number), finish: t.map((seconds) => ({ work: w, seconds })) };
    }
    case 'replication': {
      const r = c.params.r as number;
      const finish = idle();
      let round = 0;
      for (let j = 0; j < c.blocks; j++) {
        let block = Infinity;
        for (let k = 0; k < r; k++) {
          const host = (j * r + k) % n;
          finish[host] = { work, seconds: slow[host]! * work };
          block = Math.min(block, slow[host]! * work);
        }
        round = Math.max(round, block);
      }
      return { seconds: round, finish };
    }
    case 'frc': {
      const groups = c.blocks;
      const groupsOf: number[][] = [];
      let next = 0;
      for (let g = 0; g < groups; g++) {
        const size = Math.floor(n / groups) + (g < n % groups ? 1 : 0);
        groupsOf.push(Array.from({ length: size }, (_, i) => next + i));
        next += size;
      }
      const t = slow.map((s) => s * work);
      const finish = t.map((seconds) => ({ work, seconds }));
      if (c.params.decode === 'cover') return { seconds: Math.max(...groupsOf.map((g) => Math.min(...g.map((w) => t[w]!)))), finish };
      const classes = Math.min(...groupsOf.map((g) => g.length));
      let best = Infinity;
      for (let k = 0; k < classes; k++) best = Math.min(best, Math.max(...groupsOf.map((g) => t[g[k]!]!)));
      return { seconds: best, finish };
    }
    default:
      throw new Error(`brute force: no formula for ${c.scheme}`);
  }
}

/**
 * Wait-all with speculative backups, one slot per worker (slot j on worker j), backups of j on
 * workers j+1 and j+2: from the time T = multiplier × the ⌈quantile·n⌉-th finish on, at T and at
 * every later moment a worker frees up, each unanswered slot without a backup (in index order)
 * takes the first idle backup worker; a slot ends at its first copy; a worker is busy until its
 * copy ends or its slot is answered elsewhere.
 */
function speculate(t: number[], slow: number[], work: number, quantile: number, multiplier: number): number {
  const n = t.length;
  const b = Math.min(2, n - 1);
  const done = [...t];
  const busyUntil = [...t];
  const backedUp = new Array<boolean>(n).fill(false);
  const T = kthSmallest(t, Math.ceil(quantile * n)) * multiplier;
  let tau = T;
  for (let guard = 0; guard < 4 * n; guard++) {
    for (let j = 0; j < n; j++) {
      if (done[j]! <= tau || backedUp[j]) continue;
      for (let k = 1; k <= b; k++) {
        const h = (j + k) % n;
        if (busyUntil[h]! > tau) continue;
        backedUp[j] = true;
        const end = tau + slow[h]! * work;
        done[j] = Math.min(done[j]!, end);
        busyUntil[h] = done[j]!;
        busyUntil[j] = Math.min(busyUntil[j]!, done[j]!);
        break;
      }
    }
    const later = busyUntil.filter((x) => x > tau);
    if (later.length === 0 || tau >= Math.max(...done)) break;
    tau = Math.min(...later);
  }
  return Math.max(...done);
}

/** Mean seconds per iteration of each placement over `samples` draws of the true slowdowns. */
export function bruteMeans(placements: Placement[], jobWorkers: number, drawTrue: (rng: Rng) => Float64Array, rng: Rng, samples: number): number[] {
  const sums = new Array<number>(placements.length).fill(0);
  for (let m = 0; m < samples; m++) {
    // The same draws for every placement (each gets its own copy of the round stream).
    const rounds = [drawTrue(rng), drawTrue(rng)];
    placements.forEach((p, i) => {
      let r = 0;
      sums[i]! += bruteIteration(p, jobWorkers, () => rounds[r++]!).seconds;
    });
  }
  return sums.map((s) => s / samples);
}
