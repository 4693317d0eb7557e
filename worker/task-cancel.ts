/**
 * A task's cancellation, with its AbortSignal made only when something waits on it. Node 20
 * takes 9-14 µs to make an AbortController's signal (measured here: more than the whole of a bare
 * gRPC echo's CPU per message), and most tasks never wait on theirs: a no-op or a task with no
 * injected delay and a free core answers without a timer, a queue or a thread. Those read only
 * `aborted`; a wait (a sleep, the core queue, the compute thread, a loop kind) asks for `signal`,
 * which then aborts with the task.
 *
 *   const cancel = new TaskCancel();
 *   runTask(deps, req, cancel);   // ... cancel.abort('cancelled-by-master')
 */
export interface TaskCancellation {
  readonly aborted: boolean;
  /** The signal to hand to a wait (made on first use; aborted already if the task is). */
  readonly signal: AbortSignal;
}

export class TaskCancel implements TaskCancellation {
  private controller: AbortController | undefined;
  private done = false;
  private why: unknown;

  get aborted(): boolean {
    return this.done;
  }

  /** Why it was aborted (undefined before; an AbortError DOMException when aborted without a reason, as AbortController does). */
  get reason(): unknown {
    return this.done ? this.signal.reason : undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Aborts the task (once; later calls change nothing, as with AbortController). */
  abort(reason?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.why = reason;
    this.controller?.abort(reason);
  }
}
