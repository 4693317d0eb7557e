import * as grpc from '@grpc/grpc-js';
import { CancelledError, ClusterError, fromServiceError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';
import { Backoff, REGISTER_BACKOFF } from './backoff';

/** Answers that no retry will change: a wrong token, a request the master will never accept. */
/** Beside an open task stream, how often a heartbeat still asks whether the master knows this worker. */
const STREAM_CHECK_MS = 60_000;

const FATAL = new Set<number>([grpc.status.UNAUTHENTICATED, grpc.status.INVALID_ARGUMENT, grpc.status.UNIMPLEMENTED]);

/**
 * Joins the master (Register gives this worker its index) and keeps heartbeating; registers
 * again if the master forgot it (a restarted master). Resolves once the first registration
 * succeeded.
 */
export class MasterLink {
  private readonly client: pb.MasterClient;
  private timer: NodeJS.Timeout | undefined;
  private lastContact = Date.now();
  /** When the last heartbeat went out. */
  private lastBeatAt = Date.now();
  private intervalSeconds = 0;
  private stopped = false;
  private registerTimeoutMs = 0;
  private wakeSleeper: (() => void) | undefined;
  /** The id of the master process this worker last registered with. */
  private masterId = '';
  index = -1;
  /**
   * Called when a registration lands on a different master process than the last one (it
   * restarted): what the one before placed and configured here will never be asked for again.
   */
  onMasterChange: ((previous: string, current: string) => void) | undefined;
  /**
   * Called when this worker becomes registered with a live master (true) and when it stops being
   * so (false: a heartbeat went unanswered, or the master no longer knows it): what the worker's
   * readiness follows, both ways.
   */
  onRegisteredChange: ((registered: boolean) => void) | undefined;
  private registered = false;

  constructor(
    private readonly masterAddress: string,
    private readonly advertise: string,
    private readonly requestedIndex: number,
    private readonly token: string | undefined,
    tls: TlsFiles | undefined,
    private readonly log: Logger,
    private readonly running: () => number,
    private readonly onMasterLost: (seconds: number) => void,
    /**
     * True while the master holds this worker's task stream open: the stream and its HTTP/2
     * keepalive carry liveness both ways then, so heartbeats are skipped (an idle cluster of
     * hundreds of workers costs the master nothing).
     */
    private readonly streamOpen: () => boolean = () => false,
  ) {
    const { master } = loadProtos();
    // grpc-js waits up to 120 s between reconnects of a failed channel by default: the master
    // would be back long before this worker noticed. Keep the channel's own backoff (and its DNS
    // re-resolution) within the registration backoff's cap.
    this.client = new master.coda.v1.Master(masterAddress, channelCredentials(tls), {
      ...CHANNEL_OPTIONS,
      'grpc.max_reconnect_backoff_ms': REGISTER_BACKOFF.maxMs,
      'grpc.dns_min_time_between_resolutions_ms': REGISTER_BACKOFF.maxMs,
    });
  }

  /**
   * Registers, retrying with a capped, jittered exponential backoff (worker/backoff.ts) until
   * `timeoutMs` passes; 0 retries for as long as the worker lives (a standalone worker outlives
   * its master's restarts, rollouts and slow starts). The timeout is kept for re-registrations.
   * A wrong token or a request the master calls invalid ends the attempts at once; an index the
   * master refuses for now (held by a live worker, an address it cannot verify yet) is retried.
   */
  async register(timeoutMs = this.registerTimeoutMs): Promise<number> {
    this.registerTimeoutMs = timeoutMs;
    const deadlineAt = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    const backoff = new Backoff(REGISTER_BACKOFF);
    let attempts = 0;
    let lastWarnAt = -Infinity;
    for (;;) {
      if (this.stopped) throw new CancelledError('worker stopped before it registered');
      try {
        const reply = await new Promise<{ index: number; heartbeatIntervalSeconds: number; masterId: string }>((resolve, reject) => {
          this.client.register(
            { address: this.advertise, requestedIndex: this.requestedIndex, pid: process.pid },
            tokenMetadata(this.token),
            { deadline: Date.now() + 5000 },
            (err, res) => (err || !res ? reject(err ?? new Error('empty reply')) : resolve(res)),
          );
        });
        this.index = reply.index;
        this.lastContact = Date.now();
        this.log.info({ index: reply.index, master: this.masterAddress, attempts: attempts + 1 }, 'registered with master');
        if (this.masterId && reply.masterId && reply.masterId !== this.masterId) this.onMasterChange?.(this.masterId, reply.masterId);
        if (reply.masterId) this.masterId = reply.masterId;
        this.setRegistered(true);
        this.startHeartbeats(Math.max(0.05, reply.heartbeatIntervalSeconds || 1));
        return reply.index;
      } catch (e) {
        const err = e as grpc.ServiceError;
        if (FATAL.has(err.code)) throw fromServiceError(err, `master ${this.masterAddress}`);
        attempts++;
        const wait = backoff.next();
        if (Date.now() + wait > deadlineAt) throw new ClusterError(`cannot register with master ${this.masterAddress}: ${err.details || err.message}`);
        // Say so at once, then every half minute: a worker waiting for its master is normal
        // during a rollout, but an operator must see why a worker never becomes ready.
        if (Date.now() - lastWarnAt >= 30_000) {
          lastWarnAt = Date.now();
          this.log.warn({ master: this.masterAddress, attempts, err: err.details || err.message, retryInMs: Math.round(wait) }, 'cannot register with master; retrying');
        }
        await this.sleep(wait);
      }
    }
  }

  private setRegistered(registered: boolean): void {
    if (registered === this.registered || this.stopped) return;
    this.registered = registered;
    this.onRegisteredChange?.(registered);
  }

  /** A wait that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      this.wakeSleeper = done;
      function done(): void {
        clearTimeout(t);
        resolve();
      }
    });
  }

  private startHeartbeats(intervalSeconds: number): void {
    this.intervalSeconds = intervalSeconds;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.beat(), intervalSeconds * 1000);
    this.timer.unref();
  }

  private beat(): void {
    if (this.stopped) return;
    const now = Date.now();
    // While the master holds a task stream open, the stream carries liveness; still, one beat every
    // STREAM_CHECK_MS asks whether the master knows this worker: a restarted master (kill -9) whose
    // old stream this side has not seen end would otherwise never learn of it.
    if (this.streamOpen() && now - this.lastBeatAt < STREAM_CHECK_MS) {
      this.lastContact = now;
      return;
    }
    this.lastBeatAt = now;
    const streamCheck = this.streamOpen();
    this.client.heartbeat(
      { index: this.index, tasksRunning: this.running(), masterId: this.masterId },
      tokenMetadata(this.token),
      // A loaded master (hundreds of workers joining on two cores) may answer late: that is
      // not a loss.
      { deadline: Date.now() + Math.max(5000, 2000 * this.intervalSeconds) },
      (err, res) => {
        if (this.stopped) return;
        if (err) {
          // A check beside an open stream that goes unanswered proves nothing: the stream says the master is there.
          if (!streamCheck) {
            this.setRegistered(false);
            this.onMasterLost((Date.now() - this.lastContact) / 1000);
          }
          return;
        }
        this.lastContact = Date.now();
        if (res?.known) this.setRegistered(true);
        // The master stretches the interval as the cluster grows (at most ~200 beats/s in all).
        if (res?.known && res.heartbeatIntervalSeconds > 0 && Math.abs(res.heartbeatIntervalSeconds - this.intervalSeconds) > 1e-9) {
          this.startHeartbeats(res.heartbeatIntervalSeconds);
        }
        if (res && !res.known) {
          this.setRegistered(false);
          this.log.warn('master does not know this worker; registering again');
          clearInterval(this.timer);
          this.register().catch((e: unknown) => !this.stopped && this.log.error({ err: (e as Error).message }, 're-registration failed'));
        }
      },
    );
  }

  /** The master's client, for task kinds that read and write its parameter store. */
  get masterClient(): pb.MasterClient {
    return this.client;
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.wakeSleeper?.();
    this.client.close();
  }
}
