/**
 * The worker's cores under the worker-round delay model: a FIFO of at most `size` tasks at once,
 * so the slots of a round run one after another on a one-core worker (a worker with twice the
 * load is twice as slow, as the papers model it).
 */
export class CorePool {
  private busy = 0;
  private readonly waiting: { grant: () => void }[] = [];
  size = 1;

  /** Takes a core if one is free and nobody waits (true), without a promise; false: use acquire(). */
  tryAcquire(): boolean {
    if (this.busy < this.size && this.waiting.length === 0) {
      this.busy++;
      return true;
    }
    return false;
  }

  /** Resolves true once a core is held, false if `signal` aborts first (nothing is held then). */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.busy < this.size && this.waiting.length === 0) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.busy--;
  }

  /** Tasks holding or waiting for a core. */
  get load(): number {
    return this.busy + this.waiting.length;
  }
}
