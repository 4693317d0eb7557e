import { z } from 'zod';
import { InputError } from '../errors';

/**
 * A chaos schedule inside a job file: container-level faults at a round or a time, so an
 * experiment's chaos is repeatable. Pure: parsing, validation and "what is due now"; the docker
 * actions run elsewhere (cli/chaos), driven by the round loop or by the master's round counter.
 *
 *   chaos:
 *     schedule:
 *       - at round 5 pause worker 3 for 2s
 *       - { at: { seconds: 10 }, action: kill, worker: 1, for: 5 }      # restart after 5 s
 *       - at round 8 limit-bandwidth worker 2 rate 1mbit for 5s
 *       - at round 3 packet-loss worker 0 probability 0.1 for 3s
 *       - at round 4 partition worker 2 for 2s
 *
 *   const schedule = parseChaosSchedule(job.chaos.schedule);
 *   const state = new ChaosScheduleState(schedule);
 *   for (const step of state.due({ round: 5, seconds: 1.2 })) await run(step);
 */

/** The faults a schedule can apply; each one with `for` is undone after that many seconds. */
export const CHAOS_ACTIONS = ['pause', 'kill', 'limit-bandwidth', 'packet-loss', 'partition'] as const;
export type ChaosActionName = (typeof CHAOS_ACTIONS)[number];

/** What undoes an action: unpause a paused worker, start a killed one, clear tc or iptables. */
export const CHAOS_REVERTS = {
  pause: 'unpause',
  kill: 'restart',
  'limit-bandwidth': 'clear-bandwidth',
  'packet-loss': 'clear-packet-loss',
  partition: 'heal-partition',
} as const satisfies Record<ChaosActionName, string>;
export type ChaosRevertName = (typeof CHAOS_REVERTS)[ChaosActionName];

/** A tc rate: digits with a unit tc understands (kbit, mbit, gbit, bps, kbps, mbps). */
const RATE = /^\d+(\.\d+)?(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/;

const atSchema = z.union([
  z.object({ round: z.number().int().nonnegative() }).strict(),
  z.object({ seconds: z.number().nonnegative() }).strict(),
]);
const base = {
  at: atSchema,
  worker: z.number().int().nonnegative(),
  /** Seconds until the fault is undone; absent: it stays until the job ends (or by hand). */
  for: z.number().positive().optional(),
};

export const chaosEventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause'), ...base }).strict(),
  z.object({ action: z.literal('kill'), ...base }).strict(),
  z.object({ action: z.literal('limit-bandwidth'), ...base, rate: z.string().regex(RATE, 'a tc rate like 1mbit or 500kbit') }).strict(),
  z.object({ action: z.literal('packet-loss'), ...base, probability: z.number().gt(0).max(1) }).strict(),
  z.object({ action: z.literal('partition'), ...base }).strict(),
]);
export type ChaosEvent = z.infer<typeof chaosEventSchema>;

/** A schedule that cannot be carried out as written: bad input (exit code 2). */
export class ChaosScheduleError extends InputError {}

/** "2s", "1.5s", "500ms", "2" (seconds) -> seconds. */
function parseSeconds(text: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) throw new ChaosScheduleError(`${where}: '${text}' is not a duration (like 2s or 500ms)`);
  return m[2] === 'ms' ? Number(m[1]) / 1000 : Number(m[1]);
}

/**
 * Parses the one-line form: `at (round N | Ts) ACTION worker I [rate R] [probability P] [for Ds]`.
 * Returns the same object shape as the mapping form, not yet validated.
 */
export function parseChaosLine(line: string, where = 'chaos.schedule'): Record<string, unknown> {
  const words = line.trim().split(/\s+/);
  let i = 0;
  const next = (what: string): string => {
    const w = words[i++];
    if (w === undefined) throw new ChaosScheduleError(`${where}: '${line}': expected ${what} at the end`);
    return w;
  };
  if (next("'at'") !== 'at') throw new ChaosScheduleError(`${where}: '${line}': must start with 'at round N' or 'at Ts'`);
  const out: Record<string, unknown> = {};
  const when = next('a round or a time');
  if (when === 'round') {
    const n = Number(next('a round number'));
    if (!Number.isInteger(n)) throw new ChaosScheduleError(`${where}: '${line}': round must be an integer`);
    out.at = { round: n };
  } else {
    out.at = { seconds: parseSeconds(when, `${where}: '${line}'`) };
  }
  out.action = next('an action');
  if (next("'worker'") !== 'worker') throw new ChaosScheduleError(`${where}: '${line}': expected 'worker I' after the action`);
  out.worker = Number(next('a worker index'));
  while (i < words.length) {
    const key = next('a key');
    const value = next(`a value for '${key}'`);
    if (key === 'for') out.for = parseSeconds(value, `${where}: '${line}'`);
    else if (key === 'rate') out.rate = value;
    else if (key === 'probability') out.probability = Number(value);
    else throw new ChaosScheduleError(`${where}: '${line}': unknown word '${key}' (expected for, rate or probability)`);
  }
  return out;
}

/** The job-file field: a list of lines or mappings. */
export const chaosScheduleSchema = z.array(z.union([z.string(), z.record(z.unknown())]));

/**
 * Validates a schedule (lines or mappings) and returns it in firing order: round-triggered events
 * by round, time-triggered by time, stable otherwise. Messages name the entry.
 */
export function parseChaosSchedule(entries: readonly unknown[] | undefined, where = 'chaos.schedule'): ChaosEvent[] {
  if (!entries) return [];
  const events = entries.map((e, i) => {
    const at = `${where}[${i}]`;
    const raw = typeof e === 'string' ? parseChaosLine(e, at) : e;
    const r = chaosEventSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const path = issue.path.length ? `.${issue.path.join('.')}` : '';
      const hint = issue.code === 'invalid_union_discriminator' ? ` (one of ${CHAOS_ACTIONS.join(', ')})` : '';
      throw new ChaosScheduleError(`${at}${path}: ${issue.message}${hint}`);
    }
    return r.data;
  });
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const ka = 'round' in a.e.at ? [0, a.e.at.round] : [1, a.e.at.seconds];
      const kb = 'round' in b.e.at ? [0, b.e.at.round] : [1, b.e.at.seconds];
      return ka[0]! - kb[0]! || ka[1]! - kb[1]! || a.i - b.i;
    })
    .map(({ e }) => e);
}

/** The workers a schedule touches must exist in the job. */
export function checkScheduleWorkers(events: readonly ChaosEvent[], workers: number, where = 'chaos.schedule'): void {
  for (const e of events) {
    if (e.worker >= workers) throw new ChaosScheduleError(`${where}: worker ${e.worker} does not exist (the job has ${workers}: 0..${workers - 1})`);
  }
}

/** One thing to do now: a fault, or the undoing of an earlier one. */
export type ChaosStep =
  | { kind: 'apply'; event: ChaosEvent }
  | { kind: 'revert'; action: ChaosRevertName; worker: number; event: ChaosEvent };

/**
 * What is due, given progress. Each event fires once, the first time its round has started or
 * its time has passed; its revert fires `for` seconds after it was applied. Feed it the round
 * about to start (or the last one observed) and the job's elapsed seconds; it never goes back.
 */
export class ChaosScheduleState {
  private readonly pending: ChaosEvent[];
  private readonly reverts: { dueSeconds: number; step: ChaosStep }[] = [];

  constructor(events: readonly ChaosEvent[]) {
    this.pending = [...events];
  }

  due(progress: { round: number; seconds: number }): ChaosStep[] {
    const steps: ChaosStep[] = [];
    const fire: ChaosEvent[] = [];
    for (const e of this.pending) {
      if ('round' in e.at ? progress.round >= e.at.round : progress.seconds >= e.at.seconds) fire.push(e);
    }
    for (const e of fire) {
      this.pending.splice(this.pending.indexOf(e), 1);
      steps.push({ kind: 'apply', event: e });
      if (e.for !== undefined) {
        this.reverts.push({
          dueSeconds: progress.seconds + e.for,
          step: { kind: 'revert', action: CHAOS_REVERTS[e.action], worker: e.worker, event: e },
        });
      }
    }
    this.reverts.sort((a, b) => a.dueSeconds - b.dueSeconds);
    while (this.reverts.length && this.reverts[0]!.dueSeconds <= progress.seconds) steps.push(this.reverts.shift()!.step);
    return steps;
  }

  /** Seconds of job time when the next revert is due (for a timer), or undefined. */
  nextRevertSeconds(): number | undefined {
    return this.reverts[0]?.dueSeconds;
  }

  /** Reverts still outstanding (to undo at the end of the job, so no worker stays faulted). */
  drainReverts(): ChaosStep[] {
    return this.reverts.splice(0).map((r) => r.step);
  }

  get done(): boolean {
    return this.pending.length === 0 && this.reverts.length === 0;
  }
}
