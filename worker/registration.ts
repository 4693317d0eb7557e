import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../shared/log';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';

/**
 * Joins the master (Register gives this worker its index) and keeps heartbeating; registers
 * again if the master forgot it (a restarted master). Resolves once the first registration
 * succeeded.
 */
export class MasterLink {
  private readonly client: pb.MasterClient;
  private timer: NodeJS.Timeout | undefined;
  private lastContact = Date.now();
  private intervalSeconds = 0;
  private stopped = false;
  index = -1;

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
    this.client = new master.coda.v1.Master(masterAddress, channelCredentials(tls), CHANNEL_OPTIONS);
  }

  /** Registers, retrying with backoff until `timeoutMs` passes. */
  async register(timeoutMs = 30_000): Promise<number> {
    const deadlineAt = Date.now() + timeoutMs;
    let wait = 100;
    for (;;) {
      try {
        const reply = await new Promise<{ index: number; heartbeatIntervalSeconds: number }>((resolve, reject) => {
          this.client.register(
            { address: this.advertise, requestedIndex: this.requestedIndex, pid: process.pid },
            tokenMetadata(this.token),
            { deadline: Date.now() + 5000 },
            (err, res) => (err || !res ? reject(err ?? new Error('empty reply')) : resolve(res)),
          );
        });
        this.index = reply.index;
        this.lastContact = Date.now();
        this.log.info({ index: reply.index, master: this.masterAddress }, 'registered with master');
        this.startHeartbeats(Math.max(0.05, reply.heartbeatIntervalSeconds || 1));
        return reply.index;
      } catch (e) {
        const err = e as grpc.ServiceError;
        if (err.code === grpc.status.UNAUTHENTICATED || err.code === grpc.status.INVALID_ARGUMENT) throw e;
        if (Date.now() + wait > deadlineAt) throw new Error(`cannot register with master ${this.masterAddress}: ${err.message}`);
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 2000);
      }
    }
  }

  private startHeartbeats(intervalSeconds: number): void {
    this.intervalSeconds = intervalSeconds;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.beat(), intervalSeconds * 1000);
    this.timer.unref();
  }

  private beat(): void {
    if (this.stopped) return;
    if (this.streamOpen()) {
      this.lastContact = Date.now();
      return;
    }
    this.client.heartbeat(
      { index: this.index, tasksRunning: this.running() },
      tokenMetadata(this.token),
      // A loaded master (hundreds of workers joining on two cores) may answer late: that is
      // not a loss.
      { deadline: Date.now() + Math.max(5000, 2000 * this.intervalSeconds) },
      (err, res) => {
        if (this.stopped) return;
        if (err) {
          this.onMasterLost((Date.now() - this.lastContact) / 1000);
          return;
        }
        this.lastContact = Date.now();
        // The master stretches the interval as the cluster grows (at most ~200 beats/s in all).
        if (res?.known && res.heartbeatIntervalSeconds > 0 && Math.abs(res.heartbeatIntervalSeconds - this.intervalSeconds) > 1e-9) {
          this.startHeartbeats(res.heartbeatIntervalSeconds);
        }
        if (res && !res.known) {
          this.log.warn('master does not know this worker; registering again');
          clearInterval(this.timer);
          this.register().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 're-registration failed'));
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
    this.client.close();
  }
}
