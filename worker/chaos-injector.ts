import { decideFault, makeDelaySampler, NO_FAULTS, type DelaySampler, type DelaySpec, type FaultDecision, type FaultSpec } from '../shared/chaos';
import { Rng } from '../shared/random';

/** The worker's chaos: one seeded stream of delays and one of faults, reset by Configure. */
export class ChaosInjector {
  private sampleDelay: DelaySampler = () => 0;
  private faults: FaultSpec = NO_FAULTS;
  private faultRng = new Rng(0);
  private tasksStarted = 0;

  configure(delay: DelaySpec, faults: FaultSpec, seed: number): void {
    this.sampleDelay = makeDelaySampler(delay, new Rng(seed));
    this.faults = faults;
    this.faultRng = new Rng(seed ^ 0x5bd1e995);
    this.tasksStarted = 0;
  }

  /** Draws the next task's delay (seconds) and fault. */
  next(): { delay: number; fault: FaultDecision } {
    this.tasksStarted++;
    return { delay: this.sampleDelay(), fault: decideFault(this.faults, this.tasksStarted, this.faultRng) };
  }
}

/** Sleeps `seconds`, resolving early (with false) if `signal` aborts. */
export function cancellableSleep(seconds: number, signal: AbortSignal): Promise<boolean> {
  if (seconds <= 0) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, seconds * 1000);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
