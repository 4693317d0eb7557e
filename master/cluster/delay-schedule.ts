import { ScheduleRunner, isDelayChange, type ChaosStep, type DelayChangeEvent, type DelaySpec } from '../../shared/chaos';
import type { Logger } from '../../shared/log';
import type { ScheduleExecutor } from './schedule-executor';

/** What a delay schedule needs of the job's session. */
export interface DelayTarget {
  /** Replaces the delay on `on` (default: every worker of the job); resolves with the workers changed. */
  setDelay(delay: DelaySpec, on?: readonly number[]): Promise<number[]>;
}

/**
 * A chaos schedule's `set delay` events, carried out through the job's session (Configure with
 * the job id, faults kept), at the job's round counter: "at round 50" changes the delay before
 * round 50 is sent. Works wherever the job runs; process and container faults have their own
 * executors.
 */
export class DelayScheduleRunner extends ScheduleRunner implements ScheduleExecutor {
  constructor(
    events: readonly DelayChangeEvent[],
    private readonly target: () => DelayTarget,
    private readonly log: Logger,
  ) {
    super(events);
  }

  /** The round about to start when the last steps were due (for the record: what took effect when). */
  private round = 0;

  override beforeRound(round: number): Promise<void> {
    this.round = round;
    return super.beforeRound(round);
  }

  protected async execute(step: ChaosStep): Promise<string> {
    const e = step.event;
    if (step.kind !== 'apply' || !isDelayChange(e)) throw new Error('delay schedule: only delay changes are applied here');
    const on = await this.target().setDelay(e.delay, e.workers);
    const line = `set delay ${describeDelay(e.delay)} on worker${on.length === 1 ? '' : 's'} ${on.join(', ')} from round ${this.round}`;
    this.log.info({ round: this.round, delay: e.delay, workers: on }, 'chaos schedule: delay changed');
    return line;
  }
}

/** "lambda-tail base=0.02" */
export function describeDelay(d: DelaySpec): string {
  const { dist, ...rest } = d;
  const args = Object.entries(rest)
    .filter(([k]) => k !== 'stream')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return [dist, ...args].join(' ');
}
