import type { TimeSample } from './shifted-exponential';

/**
 * From task timings to runtime samples. The delay model (issue 14) draws one slowdown per worker
 * and round and runs a worker's tasks one after another, each taking slowdown × its work; the
 * runtime model therefore learns the slowdown: seconds per unit of work, one sample per worker
 * and round. Work is the task's floating-point operations over those of one uncoded gradient
 * block at wait-all's K = N (replication r: r; an mds product over k of N: N/(2k); task-flops.ts),
 * or its rows × columns over that block's under chaos.delay.work: rows.
 */
export interface TaskTiming {
  worker: number;
  /** Work of this task, in units of one uncoded block at K = N. */
  work: number;
  /**
   * Seconds from when the worker got this batch of tasks (the round's start, or a backup's send)
   * to this task's answer; for a task cut off, how long it had been out.
   */
  seconds: number;
  /** The task was cut off (a straggler cancelled once the round decoded). */
  censored?: boolean;
  /** A speculative backup: its own batch on its worker, timed from the backup's send. */
  backup?: boolean;
  /** Seconds of `seconds` that are not the worker's work (network latency); subtracted. Default 0. */
  overheadSeconds?: number;
}

export interface WorkerRoundSample extends TimeSample {
  worker: number;
  round: number;
  /** Work the sample is measured over. */
  work: number;
  /** A pseudo-sample of the prior (RuntimeModel.seedPrior), not a measurement. */
  prior?: boolean;
}

/**
 * How a worker runs its tasks of a round:
 * - `sequential` (the default delay model): one after another, so the answered tasks are a
 *   prefix of its queue and the last answer at t after work W gives the slowdown t/W; a worker
 *   with no answer was still on some task after c seconds, so its slowdown exceeds c over the
 *   most work that task can have had (censored).
 * - `parallel` (`chaos.delay.per: task`): every task draws its own delay and runs beside the
 *   others, so each task is one sample.
 */
export type Execution = 'sequential' | 'parallel';

/** One round's task timings as runtime samples (one per worker and batch, or per task). */
export function roundSamples(round: number, tasks: readonly TaskTiming[], execution: Execution = 'sequential'): WorkerRoundSample[] {
  for (const t of tasks) {
    if (!(t.work > 0) || !Number.isFinite(t.work)) throw new RangeError(`task timing: work must be positive, got ${t.work}`);
    if (!(t.seconds >= 0) || !Number.isFinite(t.seconds)) throw new RangeError(`task timing: seconds must be finite and ≥ 0, got ${t.seconds}`);
  }
  const busy = (t: TaskTiming): number => Math.max(0, t.seconds - (t.overheadSeconds ?? 0));
  if (execution === 'parallel') {
    return tasks.map((t) => ({ worker: t.worker, round, work: t.work, value: busy(t) / t.work, censored: !!t.censored }));
  }
  const batches = new Map<string, TaskTiming[]>();
  for (const t of tasks) {
    const key = `${t.worker}:${t.backup ? 'b' : 'p'}`;
    const list = batches.get(key) ?? [];
    list.push(t);
    batches.set(key, list);
  }
  const out: WorkerRoundSample[] = [];
  for (const list of batches.values()) {
    const worker = list[0]!.worker;
    const answered = list.filter((t) => !t.censored);
    if (answered.length > 0) {
      const work = answered.reduce((s, t) => s + t.work, 0);
      const last = answered.reduce((a, t) => (t.seconds > a.seconds ? t : a));
      out.push({ worker, round, work, value: busy(last) / work, censored: false });
    } else {
      const work = Math.max(...list.map((t) => t.work));
      const cut = list.reduce((a, t) => (t.seconds > a.seconds ? t : a));
      out.push({ worker, round, work, value: busy(cut) / work, censored: true });
    }
  }
  return out;
}

/** An answer as the dispatcher reports it; the worker's own timings, when given, say what was not its work. */
export interface AnswerTiming {
  slot: number;
  worker: number;
  /** Seconds from the round's start to the answer at the master. */
  seconds: number;
  /** What the worker reports: waiting for a core, computing, injected delay. */
  queueSeconds?: number;
  computeSeconds?: number;
  injectedDelaySeconds?: number;
}

/**
 * A round's outcome (what the dispatcher reports: answers, and the stragglers cut off) as task
 * timings, given each slot's work. Backups (a slot answered by another worker than its host, sent
 * later) are left out: their times do not count from the round's start; the host's cut-off copy
 * is kept as a censored straggler. When the answers carry the worker's own timings, each timing's
 * overhead is the rest of its time (the network and the master: not proportional to the work, so
 * not part of the slowdown), and a straggler, which never reported, gets the round's median.
 */
export function timingsFromRound(
  outcome: {
    arrivals: readonly AnswerTiming[];
    stragglers: readonly { slot: number; worker: number; outstandingSeconds: number }[];
  },
  workOfSlot: ArrayLike<number>,
  hostOfSlot?: ArrayLike<number>,
): TaskTiming[] {
  const out: TaskTiming[] = [];
  const overheads: number[] = [];
  for (const a of outcome.arrivals) {
    const own = a.computeSeconds === undefined ? undefined : Math.min(a.seconds, Math.max(0, a.seconds - (a.queueSeconds ?? 0) - a.computeSeconds - (a.injectedDelaySeconds ?? 0)));
    if (own !== undefined) overheads.push(own);
    if (hostOfSlot && hostOfSlot[a.slot] !== a.worker) continue;
    out.push({ worker: a.worker, work: workOfSlot[a.slot]!, seconds: a.seconds, ...(own !== undefined ? { overheadSeconds: own } : {}) });
  }
  const median = overheads.length > 0 ? roundOverhead(overheads) : undefined;
  for (const s of outcome.stragglers) {
    out.push({
      worker: s.worker,
      work: workOfSlot[s.slot]!,
      seconds: s.outstandingSeconds,
      censored: true,
      ...(median !== undefined ? { overheadSeconds: Math.min(median, s.outstandingSeconds) } : {}),
    });
  }
  return out;
}

/** The median of a round's answer overheads (seconds beyond the workers' own time). */
export function roundOverhead(overheads: readonly number[]): number {
  const s = [...overheads].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
