/**
 * A compute thread's scheduling class while it steps AsyncEigenPro loops. A loop's owner serves
 * its peers' slice reads from its event loop while this thread steps; on a saturated machine the
 * read waits until the kernel lets the woken event loop run. Under EEVDF (Linux 6.6 on) a running
 * task of the same class may keep the core to the end of its protected slice (about 1-3 ms), nice
 * values or not (COMPUTE_NICE changes the share, not that): a wait at the owner and again at the
 * reader, in every read that met a busy core. A SCHED_IDLE task is preempted at once by a waking
 * task of the ordinary class (measured on a loaded 2-core machine, 4 workers, 3 runs each way
 * interleaved: a peer's reply p50 3.9-5.1 → 2.5-3.1 ms, p90 12-20 → 8-11 ms, with CPU contention
 * from outside still the larger part). So, with `--loop-compute idle` (WorkerOptions.loopCompute),
 * the thread enters the idle class when its first loop opens and leaves it when its last loop
 * closes; the other task kinds keep the ordinary class. Not the default: an idle-class thread gets
 * almost nothing while any ordinary thread of its cgroup or session computes (a local cluster's
 * master, other cluster tests run beside it).
 */
export interface ThreadScheduling {
  /** The calling thread idle-class (true) or ordinary (false); false when refused. */
  set(idle: boolean): boolean;
}

export class LoopPriority {
  private open = 0;
  /** True while the thread is idle-class by our doing. */
  private idle = false;
  /** Set when leaving the idle class was refused (RLIMIT_NICE without CAP_SYS_NICE): the thread stays idle-class. */
  stuck = false;

  constructor(private readonly sched: ThreadScheduling | undefined) {}

  opened(): void {
    if (this.open++ === 0 && !this.idle && this.sched) this.idle = this.sched.set(true);
  }

  closed(): void {
    if (this.open === 0) return;
    if (--this.open === 0 && this.idle && !this.stuck) {
      if (this.sched!.set(false)) this.idle = false;
      else this.stuck = true;
    }
  }

  /** Whether the thread is idle-class now. */
  get isIdle(): boolean {
    return this.idle;
  }
}
