/**
 * gRPC's MIN_CONNECT_TIMEOUT (grpc/doc/connection-backoff.md): the least time a connection
 * attempt is given before it counts as failed and the channel backs off and tries again.
 */
export const CONNECT_TIMEOUT_MS = 20_000;

/**
 * grpc-js gives a connection attempt no deadline of its own (grpc/grpc-node#2785): a SYN the
 * network drops (a partition) leaves the channel CONNECTING for as long as the kernel retries
 * it, about 2 minutes on Linux, and a partition that heals meanwhile is not noticed until then.
 * Fed the channel's state whenever a call to the master fails, this says when the attempt has
 * been connecting for longer than `timeoutMs`: the caller then replaces the channel, whose
 * fresh attempt reaches a healed network at once. Time is an input (tests drive it).
 */
export class ConnectWatchdog {
  private since: number | undefined;

  constructor(private readonly timeoutMs = CONNECT_TIMEOUT_MS) {}

  /** True once `connecting` has held continuously for `timeoutMs`; the count then starts over. */
  stuck(connecting: boolean, now: number): boolean {
    if (!connecting) {
      this.since = undefined;
      return false;
    }
    this.since ??= now;
    if (now - this.since < this.timeoutMs) return false;
    this.since = undefined;
    return true;
  }
}
