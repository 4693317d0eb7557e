import { z } from 'zod';
import { InputError } from '../errors';
import { delaySchema } from './delay-schema';

/**
 * A chaos schedule inside a job file: container-level faults at a round or a time, so an
 * experiment's chaos is repeatable. Pure: parsing, validation and "what is due now"; the docker
 * actions run elsewhere (launcher/chaos), driven by the round loop or by the master's round counter.
 *
 *   chaos:
 *     schedule:
 *       - at round 5 pause worker 3 for 2s
 *       - { at: { seconds: 10 }, action: kill, worker: 1, for: 5 }      # restart after 5 s
 *       - at round 8 limit-bandwidth worker 2 rate 1mbit for 5s
 *       - at round 3 packet-loss worker 0 probability 0.1 for 3s
 *       - at round 4 partition worker 2 for 2s
 *       - at round 50 set delay lambda-tail base 20ms on workers 0-3     # the job's delay profile changes
 *       - { at: { round: 80 }, action: set-delay, delay: { dist: constant, value: 0.16 }, workers: [3] }
 *
 *   const schedule = parseChaosSchedule(job.chaos.schedule);
 *   const state = new ChaosScheduleState(schedule);
 *   for (const step of state.due({ round: 5, seconds: 1.2 })) await run(step);
 */

/**
 * The faults a schedule can apply to a worker's process or container; each one with `for` is
 * undone after that many seconds. (`set-delay`, which changes the job's injected delay through
 * its session, is the other kind of event.)
 */
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

/**
 * `set-delay`: from then on the listed workers (default: all the job's) draw their slowdowns
 * from `delay`, their faults unchanged. Applied by the job's session with the job id, so it
 * works wherever the job runs (processes, compose, Kubernetes). A replayed trace cannot be
 * switched to mid-run: give it as `chaos.delay`.
 */
const setDelaySchema = z
  .object({
    action: z.literal('set-delay'),
    at: atSchema,
    delay: delaySchema.refine((d) => d.dist !== 'trace', { message: 'a trace cannot be switched to by a schedule; give it as chaos.delay' }),
    workers: z.array(z.number().int().nonnegative()).min(1).optional(),
  })
  .strict();

export const chaosEventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause'), ...base }).strict(),
  z.object({ action: z.literal('kill'), ...base }).strict(),
  z.object({ action: z.literal('limit-bandwidth'), ...base, rate: z.string().regex(RATE, 'a tc rate like 1mbit or 500kbit') }).strict(),
  z.object({ action: z.literal('packet-loss'), ...base, probability: z.number().gt(0).max(1) }).strict(),
  z.object({ action: z.literal('partition'), ...base }).strict(),
  setDelaySchema,
]);
export type ChaosEvent = z.infer<typeof chaosEventSchema>;
/** An event on one worker's process or container (pause, kill, network faults). */
export type FaultEvent = Exclude<ChaosEvent, { action: 'set-delay' }>;
/** A change of the job's delay profile. */
export type DelayChangeEvent = Extract<ChaosEvent, { action: 'set-delay' }>;

export function isDelayChange(e: ChaosEvent): e is DelayChangeEvent {
  return e.action === 'set-delay';
}

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
  if (out.action === 'set') return parseSetDelay(words.slice(i), out, `${where}: '${line}'`);
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

/** Delay keys given as durations ("20ms", "0.02s", "0.02"): seconds. */
const DELAY_SECONDS = new Set(['value', 'shift', 'scale', 'fast', 'slow', 'base', 'normalDwell', 'slowDwell']);
/** Delay keys given as comma lists of numbers. */
const DELAY_LISTS = new Set(['multiples', 'weights']);

/**
 * `set delay DIST [KEY VALUE]... [on (worker I | workers LIST | all)]`, e.g.
 * `set delay lambda-tail base 20ms on workers 0-3` or `set delay constant value 160ms on worker 3`.
 * LIST is comma-separated indices and ranges (0-3,6). Durations are seconds or ms.
 */
function parseSetDelay(words: string[], out: Record<string, unknown>, where: string): Record<string, unknown> {
  let i = 0;
  if (words[i++] !== 'delay') throw new ChaosScheduleError(`${where}: expected 'set delay DIST ...'`);
  const dist = words[i++];
  if (dist === undefined) throw new ChaosScheduleError(`${where}: expected a distribution after 'set delay' (constant, lambda-tail, ...)`);
  const delay: Record<string, unknown> = { dist };
  while (i < words.length && words[i] !== 'on') {
    const key = words[i++]!;
    const value = words[i++];
    if (value === undefined) throw new ChaosScheduleError(`${where}: expected a value for '${key}'`);
    if (DELAY_SECONDS.has(key)) delay[key] = parseSeconds(value, where);
    else if (DELAY_LISTS.has(key)) delay[key] = value.split(',').map(Number);
    else if (key === 'per' || key === 'file' || key === 'mode') delay[key] = value;
    else delay[key] = Number(value);
  }
  out.action = 'set-delay';
  out.delay = delay;
  if (i < words.length) {
    i++; // 'on'
    const which = words[i++];
    if (which === 'all') {
      if (words[i] === 'workers') i++;
    } else if (which === 'worker' || which === 'workers') {
      const list = words[i++];
      if (list === undefined) throw new ChaosScheduleError(`${where}: expected worker indices after '${which}'`);
      out.workers = parseWorkerList(list, where);
    } else {
      throw new ChaosScheduleError(`${where}: expected 'on worker I', 'on workers 0-3' or 'on all' after the delay`);
    }
    if (i < words.length) throw new ChaosScheduleError(`${where}: unexpected '${words[i]}' after the workers`);
  }
  return out;
}

/** "0-3,6" -> [0, 1, 2, 3, 6] */
function parseWorkerList(text: string, where: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ChaosScheduleError(`${where}: '${part}' is not a worker index or range (like 3 or 0-3)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new ChaosScheduleError(`${where}: the range ${part} runs backwards`);
    for (let w = a; w <= b; w++) out.push(w);
  }
  return [...new Set(out)];
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
      const hint = issue.code === 'invalid_union_discriminator' ? ` (one of ${[...CHAOS_ACTIONS, 'set-delay'].join(', ')})` : '';
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

/**
 * Every worker index a job's chaos names (`chaos.workers`, a schedule's `worker` and `workers`)
 * must be one of the job's workers: a count N (indices 0..N-1, what a job file's `workers` says)
 * or the indices it runs on (a master's live workers). An index that is not would make its delay
 * or fault apply to no one, silently.
 */
export function checkWorkerIndices(indices: readonly number[], workers: number | readonly number[], where: string): void {
  const has = typeof workers === 'number' ? (w: number) => w < workers : (w: number) => workers.includes(w);
  const bad = indices.find((w) => !has(w));
  if (bad === undefined) return;
  const list = typeof workers === 'number' ? Array.from({ length: workers }, (_, i) => i) : [...workers].sort((a, b) => a - b);
  const which = list.length === 0 ? 'none' : list.every((w, i) => w === i) ? `0..${list.length - 1}` : list.join(', ');
  const n = list.length;
  throw new ChaosScheduleError(`${where}: worker ${bad} does not exist (the job has ${n}: ${which})`);
}

/** The workers a schedule touches must exist in the job (see checkWorkerIndices). */
export function checkScheduleWorkers(events: readonly ChaosEvent[], workers: number | readonly number[], where = 'chaos.schedule'): void {
  for (const e of events) checkWorkerIndices(isDelayChange(e) ? (e.workers ?? []) : [e.worker], workers, where);
}

/** One thing to do now: a fault or a delay change, or the undoing of an earlier fault. */
export type ChaosStep =
  | { kind: 'apply'; event: ChaosEvent }
  | { kind: 'revert'; action: ChaosRevertName; worker: number; event: FaultEvent };

/** The fault a step applies or undoes, with its worker (a delay change is not a fault step). */
export function faultStep(step: ChaosStep): { verb: ChaosActionName | ChaosRevertName; worker: number; event: FaultEvent } {
  if (step.kind === 'revert') return { verb: step.action, worker: step.worker, event: step.event };
  const e = step.event;
  if (isDelayChange(e)) throw new ChaosScheduleError('a delay change is applied by the job session, not to a worker process or container');
  return { verb: e.action, worker: e.worker, event: e };
}

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
      if (!isDelayChange(e) && e.for !== undefined) {
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
