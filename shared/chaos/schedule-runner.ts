import { ChaosScheduleState, type ChaosEvent, type ChaosStep } from './schedule';

/**
 * Carries out a chaos schedule against some cluster: what is due runs in order, one step at a
 * time; reverts are due in wall time (a paused worker may hold rounds up), so a timer fires them.
 * Subclasses say how one step is done (signals to local processes, docker commands, ...).
 */
export abstract class ScheduleRunner {
  private readonly state: ChaosScheduleState;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Batches of steps taken from the schedule but not yet carried out. */
  private queued = 0;
  /** A revert the timer fired that failed: reported by the next call. */
  private timerFailure: unknown;
  /** A line per step done, for result.json and logs. */
  readonly applied: string[] = [];

  constructor(events: readonly ChaosEvent[]) {
    this.state = new ChaosScheduleState(events);
  }

  /** Does one step; returns the line to record. */
  protected abstract execute(step: ChaosStep): Promise<string>;

  protected seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Applies what is due for the round about to start; resolves when the actions are done. */
  async beforeRound(round: number): Promise<void> {
    this.rethrowTimerFailure();
    await this.enqueue(this.state.due({ round, seconds: this.seconds() }));
  }

  /** Undoes every fault still outstanding (call at the job's end). */
  async finish(): Promise<void> {
    clearTimeout(this.timer);
    await this.enqueue(this.state.drainReverts());
    this.rethrowTimerFailure();
  }

  /** Every event fired and undone, and every step carried out (not merely taken off the schedule). */
  get done(): boolean {
    return this.state.done && this.queued === 0;
  }

  private rethrowTimerFailure(): void {
    const e = this.timerFailure;
    this.timerFailure = undefined;
    if (e !== undefined) throw e;
  }

  private enqueue(steps: ChaosStep[]): Promise<void> {
    this.queued++;
    const run = this.chain.then(async () => {
      try {
        for (const s of steps) this.applied.push(`[chaos t=${this.seconds().toFixed(2)}s] ${await this.execute(s)}`);
        this.armRevertTimer();
      } finally {
        this.queued--;
      }
    });
    // One failed step must not stop the ones after it (the reverts above all).
    this.chain = run.catch(() => undefined);
    return run;
  }

  private armRevertTimer(): void {
    clearTimeout(this.timer);
    const next = this.state.nextRevertSeconds();
    if (next === undefined) return;
    this.timer = setTimeout(() => {
      this.enqueue(this.state.due({ round: -1, seconds: this.seconds() })).catch((e: unknown) => (this.timerFailure = e));
    }, Math.max(0, (next - this.seconds()) * 1000) + 5);
    this.timer.unref();
  }
}
