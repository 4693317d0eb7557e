import { ChaosScheduleState, type ChaosEvent, type ChaosStep } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { WorkerRegistry } from './registry';

/** What a schedule executor needs from whoever runs the workers. */
export interface ScheduleExecutor {
  beforeRound(round: number): Promise<void>;
  finish(): Promise<void>;
  readonly applied: string[];
}

/** Process control of a local cluster: pids come from the registry, restart spawns a new process. */
export interface ProcessControl {
  restart(index: number): Promise<void>;
}

/** Actions a process can take: network faults need containers (`coda chaos`, namespaces). */
const PROCESS_ACTIONS = new Set(['pause', 'kill']);

export function checkProcessSchedule(events: readonly ChaosEvent[]): void {
  for (const e of events) {
    if (!PROCESS_ACTIONS.has(e.action)) {
      throw new InputError(
        `chaos.schedule: '${e.action}' needs containers (run the job on a compose cluster and use \`coda chaos schedule\`); ` +
          'a local process cluster supports pause and kill',
      );
    }
  }
}

/**
 * Runs a job's chaos schedule on a local process cluster: pause = SIGSTOP (a frozen worker, a
 * real straggler: its connection stays open, its heartbeats stop), unpause = SIGCONT, kill =
 * SIGKILL, restart = a new worker process asking for the same index.
 */
export class ProcessScheduleExecutor implements ScheduleExecutor {
  private readonly state: ChaosScheduleState;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  readonly applied: string[] = [];

  constructor(
    events: readonly ChaosEvent[],
    private readonly registry: WorkerRegistry,
    private readonly control: ProcessControl,
    private readonly log: Logger,
  ) {
    checkProcessSchedule(events);
    this.state = new ChaosScheduleState(events);
  }

  private seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  beforeRound(round: number): Promise<void> {
    return this.enqueue(this.state.due({ round, seconds: this.seconds() }));
  }

  finish(): Promise<void> {
    clearTimeout(this.timer);
    return this.enqueue(this.state.drainReverts());
  }

  private enqueue(steps: ChaosStep[]): Promise<void> {
    this.chain = this.chain.then(async () => {
      for (const s of steps) await this.execute(s);
      this.armRevertTimer();
    });
    return this.chain;
  }

  /** Reverts are due in wall time (a paused worker may hold up rounds), so a timer fires them. */
  private armRevertTimer(): void {
    clearTimeout(this.timer);
    const next = this.state.nextRevertSeconds();
    if (next === undefined) return;
    this.timer = setTimeout(() => void this.enqueue(this.state.due({ round: -1, seconds: this.seconds() })), Math.max(0, (next - this.seconds()) * 1000) + 5);
    this.timer.unref();
  }

  private async execute(step: ChaosStep): Promise<void> {
    const worker = step.kind === 'apply' ? step.event.worker : step.worker;
    const verb = step.kind === 'apply' ? step.event.action : step.action;
    const rec = this.registry.get(worker);
    const signal = (sig: NodeJS.Signals): void => {
      if (!rec) throw new InputError(`chaos.schedule: worker ${worker} is not registered`);
      try {
        process.kill(rec.pid, sig);
      } catch {
        // Already gone: nothing to pause or kill.
      }
    };
    switch (verb) {
      case 'pause':
        signal('SIGSTOP');
        break;
      case 'unpause':
        signal('SIGCONT');
        break;
      case 'kill':
        signal('SIGKILL');
        break;
      case 'restart':
        await this.control.restart(worker);
        break;
      default:
        throw new InputError(`chaos.schedule: '${verb}' is not possible on a local process cluster`);
    }
    const line = `[chaos t=${this.seconds().toFixed(2)}s] ${verb} worker ${worker}${rec ? ` (pid ${rec.pid})` : ''}`;
    this.applied.push(line);
    this.log.warn({ worker, action: verb }, 'chaos schedule');
  }
}
