import { faultStep, ScheduleRunner, type ChaosStep, type FaultEvent } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { WorkerRegistry } from '../../master/cluster/registry';
import type { FaultExecutorFactory, ScheduleExecutor } from '../../master/cluster/schedule-executor';

/** Process control of a local cluster: pids come from the registry, restart spawns a new process. */
export interface ProcessControl {
  restart(index: number): Promise<void>;
}

/** Actions a process can take: network faults need containers (`coda chaos`, namespaces). */
const PROCESS_ACTIONS = new Set(['pause', 'kill']);

export function checkProcessSchedule(events: readonly FaultEvent[]): void {
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
export class ProcessScheduleExecutor extends ScheduleRunner implements ScheduleExecutor {
  constructor(
    events: readonly FaultEvent[],
    private readonly registry: WorkerRegistry,
    private readonly control: ProcessControl,
    private readonly log: Logger,
  ) {
    checkProcessSchedule(events);
    super(events);
  }

  protected async execute(step: ChaosStep): Promise<string> {
    const { verb, worker } = faultStep(step);
    const rec = this.registry.get(worker);
    const signal = (sig: NodeJS.Signals): void => {
      if (!rec) throw new InputError(`chaos.schedule: worker ${worker} is not registered`);
      const sharing = this.registry.alive().filter((w) => w.pid === rec.pid && w.index !== worker).map((w) => w.index);
      if (sharing.length > 0) {
        throw new InputError(
          `chaos.schedule: worker ${worker} shares its process with workers ${sharing.join(', ')} (several worker services per process); ` +
            'a signal would hit them all: start the cluster with one worker per process (--per-process 1)',
        );
      }
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
    this.log.warn({ worker, action: verb }, 'chaos schedule');
    return `${verb} worker ${worker}${rec ? ` (pid ${rec.pid})` : ''}`;
  }
}

/** The job context's `chaos.processes` for a local process cluster: faults by signal, restart through `control`. */
export function processChaos(control: ProcessControl): FaultExecutorFactory {
  return (faults, registry, log) => new ProcessScheduleExecutor(faults, registry, control, log);
}
