import { performance } from 'node:perf_hooks';
import { decideFault, makeDelaySampler, NO_FAULTS, type DelaySampler, type DelaySpec, type DelayUnit, type FaultDecision, type FaultSpec } from '../shared/chaos';
import { Rng } from '../shared/random';
import type { TaskCancellation } from './task-cancel';

export interface ChaosSettings {
  /** The job (session) the settings belong to; '' for none. */
  jobId: string;
  delay: DelaySpec;
  fault: FaultSpec;
  seed: number;
  /** Tasks run at once under the worker-round model. */
  cores: number;
}

/** Round draws kept for slots of a round that arrive in a later message (relocations, backups). */
const ROUND_DRAWS_KEPT = 64;

/**
 * The worker's chaos: one seeded stream of delays and one of faults, set by Configure.
 *
 * Under the worker-round model (the default) a round's first task draws the worker's slowdown
 * for that round; every task of the round (this message or a later one, e.g. a relocated slot)
 * is delayed by that draw × its work. Under `per: task` each task draws its own delay.
 */
export class ChaosInjector {
  private sampleDelay: DelaySampler = () => 0;
  private faults: FaultSpec = NO_FAULTS;
  private faultRng = new Rng(0);
  /** Draws that round each sleep to whole milliseconds (see timerMilliseconds). */
  private ditherRng = new Rng(0);
  private tasksStarted = 0;
  private readonly roundDraws = new Map<string, number>();
  jobId = '';
  unit: DelayUnit = 'worker-round';
  cores = 1;

  configure(s: ChaosSettings): void {
    this.sampleDelay = makeDelaySampler(s.delay, new Rng(s.seed));
    this.faults = s.fault;
    this.faultRng = new Rng(s.seed ^ 0x5bd1e995);
    this.ditherRng = new Rng(s.seed ^ 0x2545f491);
    this.tasksStarted = 0;
    this.roundDraws.clear();
    this.jobId = s.jobId;
    this.unit = s.delay.per ?? 'worker-round';
    this.cores = Math.max(1, s.cores);
  }

  /**
   * Replaces the delay only (a chaos schedule's `set delay` mid-job): the faults, their stream
   * and task counter go on, so a crash after n tasks still counts every task of the job.
   */
  setDelay(jobId: string, delay: DelaySpec, seed: number): void {
    this.sampleDelay = makeDelaySampler(delay, new Rng(seed));
    this.roundDraws.clear();
    this.jobId = jobId;
    this.unit = delay.per ?? 'worker-round';
  }

  /** Back to no chaos, unless another job has configured the worker since `jobId` did. */
  reset(jobId: string): boolean {
    if (jobId !== this.jobId) return false;
    this.configure({ jobId: '', delay: { dist: 'none' }, fault: NO_FAULTS, seed: 0, cores: 1 });
    return true;
  }

  /**
   * A task's injected delay (seconds) and fault, drawn when the task arrives (arrival order is
   * the master's send order, so a run repeats). `round` names the task's round (job and round).
   */
  next(round: string, work: number): { delay: number; fault: FaultDecision } {
    this.tasksStarted++;
    const fault = decideFault(this.faults, this.tasksStarted, this.faultRng);
    if (this.unit === 'task') return { delay: this.sampleDelay(), fault };
    let draw = this.roundDraws.get(round);
    if (draw === undefined) {
      draw = this.sampleDelay();
      this.roundDraws.set(round, draw);
      if (this.roundDraws.size > ROUND_DRAWS_KEPT) this.roundDraws.delete(this.roundDraws.keys().next().value!);
    }
    return { delay: draw * (work > 0 ? work : 1), fault };
  }

  /**
   * A task's fault only, for kinds that draw their own delays per iteration (AsyncEigenPro): the
   * task counts towards `crash after n tasks` but takes no draw from the delay stream.
   */
  nextFault(): FaultDecision {
    this.tasksStarted++;
    return decideFault(this.faults, this.tasksStarted, this.faultRng);
  }

  /** A fresh draw, for kinds that loop over many iterations inside one task (AsyncEigenPro). */
  sample(): number {
    return this.sampleDelay();
  }

  /**
   * Sleeps an injected delay of `seconds` (false: `signal` aborted first). The timer is planned by
   * the process's TimerCalibration, so the time actually slept is the delay drawn on average.
   */
  async sleep(seconds: number, signal: AbortSignal): Promise<boolean> {
    const ms = PROCESS_TIMERS.plan(seconds, this.ditherRng.uniform());
    return ms > 0 ? this.timed(ms, signal) : !signal.aborted;
  }

  /**
   * sleep(), answered at once (true unless the task has been cancelled) when the timer planned is
   * none, without a promise or the task's signal: the same dither draw is taken either way, so the
   * seeded sleeps that follow are the same.
   */
  sleepOrNow(seconds: number, cancel: TaskCancellation): boolean | Promise<boolean> {
    const ms = PROCESS_TIMERS.plan(seconds, this.ditherRng.uniform());
    if (!(ms > 0)) return !cancel.aborted;
    return this.timed(ms, cancel.signal);
  }

  private async timed(ms: number, signal: AbortSignal): Promise<boolean> {
    const t = performance.now();
    const slept = await cancellableSleep(ms, signal);
    if (slept) PROCESS_TIMERS.observe(ms, performance.now() - t);
    return slept;
  }

  /** Whether the worker's tasks queue for its cores (worker-round) or run side by side (task). */
  get sequential(): boolean {
    return this.unit === 'worker-round';
  }
}

/**
 * The whole milliseconds to sleep for a delay of `seconds`. Node's timers count whole
 * milliseconds: setTimeout(2.7) fires after 2 ms, setTimeout(0.3) after 1 ms (measured: 2.1 and
 * 1.1), so a delay model's fractions and sub-millisecond draws would come out biased (an
 * exponential of mean 2 ms loses about 0.4 ms a task; work-proportional delays lose their
 * fractions). The sleep is ⌊ms⌋ + 1 with probability frac(ms), else ⌊ms⌋ (0: no timer at all), `u`
 * a seeded uniform draw: the expected timer is the delay drawn (TimerCalibration adds the
 * event loop's lateness to the picture).
 */
export function timerMilliseconds(seconds: number, u: number): number {
  if (!(seconds > 0)) return 0;
  const ms = seconds * 1000;
  const whole = Math.floor(ms);
  return u < ms - whole ? whole + 1 : whole;
}

/** The lateness estimate's weight for a new measurement, and its bounds (ms). */
const LATE_WEIGHT = 0.05;
const MAX_LATE_MS = 2;

/**
 * How late this process's timers fire, learnt from the sleeps it takes, and the timer to set for a
 * delay so that the time actually slept is the delay on average. A timer of w ms fires after
 * w + late ms (the event loop's own lateness: 0.1-0.4 ms measured, more on a busy machine); a
 * timer of 0 is no timer and costs nothing. So a delay of d ms (d ≥ 1 + late) sets
 * timerMilliseconds(d − late); a shorter one sets 1 ms with probability d / (1 + late), else none.
 */
export class TimerCalibration {
  /** The estimated lateness, ms (an exponentially weighted mean of what the sleeps measured). */
  lateMs = 0;

  observe(timerMs: number, actualMs: number): void {
    if (!(timerMs > 0) || !Number.isFinite(actualMs)) return;
    const late = Math.min(MAX_LATE_MS, Math.max(0, actualMs - timerMs));
    this.lateMs += LATE_WEIGHT * (late - this.lateMs);
  }

  /** Whole milliseconds to set for a delay of `seconds`; `u` a seeded uniform draw. */
  plan(seconds: number, u: number): number {
    if (!(seconds > 0)) return 0;
    const ms = seconds * 1000;
    if (ms >= 1 + this.lateMs) return timerMilliseconds((ms - this.lateMs) / 1000, u);
    return u < ms / (1 + this.lateMs) ? 1 : 0;
  }
}

/** One per process: the lateness is the event loop's, shared by every worker service in it. */
const PROCESS_TIMERS = new TimerCalibration();

/** setTimeout's longest delay (about 24.8 days); Node fires a longer one after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sleeps `ms` whole milliseconds (timerMilliseconds), resolving early (with false) if `signal`
 * aborts. A sleep longer than one timer allows is taken in several (a heavy-tailed draw must not
 * turn into no delay at all).
 */
export function cancellableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (!(ms > 0)) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    let t: NodeJS.Timeout;
    let left = ms;
    const arm = (): void => {
      const ms = Math.min(left, MAX_TIMER_MS);
      left -= ms;
      t = setTimeout(() => {
        if (left > 0) return arm();
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
    };
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    arm();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
