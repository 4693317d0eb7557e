import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, CHUNK_BYTES, channelCredentials, chunks, loadProtos, tokenMetadata, type TlsFiles, type pb } from '../../shared/wire';
import { float64ToBytes } from '../../shared/tensor';
import type { DelaySpec, FaultSpec } from '../../shared/chaos';
import { delayToMessage, splitHostPort, unaryCall } from '../../shared/wire';
import type { OutgoingBlock } from '../../core/schemes/placement';
import { BulkUnreachableError, sendBlocksBulk } from './bulk-sender';

/** Attempts of an idempotent control call that met UNAVAILABLE (a refused or reset stream). */
const CONTROL_ATTEMPTS = 3;

export interface PendingTask {
  promise: Promise<pb.TaskResult__Output>;
  cancel(): void;
}

/** One worker's client: typed wrappers around the generated stub, token on every call. */
export class WorkerConnection {
  readonly client: pb.WorkerClient;

  constructor(
    readonly index: number,
    readonly address: string,
    private readonly token: string | undefined,
    tls?: TlsFiles,
  ) {
    const { worker } = loadProtos();
    this.client = new worker.coda.v1.Worker(address, channelCredentials(tls), CHANNEL_OPTIONS);
  }

  runTask(req: pb.TaskRequest, deadlineSeconds: number): PendingTask {
    let call: grpc.ClientUnaryCall | undefined;
    const promise = new Promise<pb.TaskResult__Output>((resolve, reject) => {
      call = this.client.runTask(req, tokenMetadata(this.token), { deadline: Date.now() + deadlineSeconds * 1000 }, (err, res) =>
        err || !res ? reject(err ?? new Error('empty reply')) : resolve(res),
      );
    });
    return { promise, cancel: () => call?.cancel() };
  }

  /**
   * Places blocks the fastest way this worker offers: over its bulk channel (OpenBulk: raw bytes
   * on a plain TCP connection) when it has one, else through LoadBlocks. A bulk port that cannot
   * be reached (a firewall, a network policy without it) turns this connection to LoadBlocks for
   * good, with the reason in `bulkUnavailable`; any other failure is the placement's.
   */
  async placeBlocks(jobId: string, blocks: OutgoingBlock[], deadlineSeconds = 600): Promise<{ bytes: number; via: 'bulk' | 'grpc' }> {
    if (this.bulkUnavailable === undefined) {
      let reply: pb.OpenBulkReply__Output | undefined;
      try {
        reply = await unaryCall<pb.OpenBulkRequest, pb.OpenBulkReply__Output>(this.client.openBulk.bind(this.client), { jobId }, tokenMetadata(this.token), 10_000, `OpenBulk on ${this.address}`);
      } catch (e) {
        // A worker of an older release: no OpenBulk.
        if ((e as { cause?: { code?: number } }).cause?.code !== grpc.status.UNIMPLEMENTED) throw e;
        this.bulkUnavailable = 'the worker has no bulk channel (OpenBulk unimplemented)';
      }
      if (reply && reply.port > 0) {
        try {
          return { bytes: await sendBlocksBulk(splitHostPort(this.address).host, reply.port, reply.ticket, jobId, blocks, deadlineSeconds), via: 'bulk' };
        } catch (e) {
          if (!(e instanceof BulkUnreachableError)) throw e;
          this.bulkUnavailable = e.message;
        }
      }
    }
    return { bytes: await this.loadBlocks(jobId, blocks, deadlineSeconds), via: 'grpc' };
  }

  /** Why placement on this worker goes through LoadBlocks, once the bulk channel was found wanting. */
  bulkUnavailable: string | undefined;

  /** Streams blocks in chunks (CHUNK_BYTES by default) through LoadBlocks; resolves with the bytes sent. */
  loadBlocks(jobId: string, blocks: OutgoingBlock[], deadlineSeconds = 600, chunkBytes = CHUNK_BYTES): Promise<number> {
    return new Promise((resolve, reject) => {
      let sent = 0;
      const call = this.client.loadBlocks(tokenMetadata(this.token), { deadline: Date.now() + deadlineSeconds * 1000 }, (err) =>
        err ? reject(err) : resolve(sent),
      );
      // Respect flow control: wait for 'drain' when the write buffer is full.
      const it = (function* () {
        for (const b of blocks) {
          const total = b.data.byteLength + (b.rhs ? b.rhs.byteLength : 0);
          yield {
            header: { jobId, blockId: b.id, shape: [b.rows, b.cols], hasRhs: !!b.rhs, totalBytes: String(total), rowOffset: String(b.rowOffset) },
          } as pb.BlockChunk;
          for (const c of chunks(float64ToBytes(b.data), chunkBytes)) yield { data: c } as pb.BlockChunk;
          if (b.rhs) for (const c of chunks(float64ToBytes(b.rhs), chunkBytes)) yield { data: c } as pb.BlockChunk;
        }
      })();
      const pump = (): void => {
        for (;;) {
          const next = it.next();
          if (next.done) {
            call.end();
            return;
          }
          if (next.value.data instanceof Uint8Array) sent += next.value.data.byteLength;
          if (!call.write(next.value)) {
            call.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  }

  /** Asks the worker to end these slots' running tasks of a round itself (see CancelTasks). */
  cancelTasks(jobId: string, round: string, slots: number[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.cancelTasks({ jobId, round, slots }, tokenMetadata(this.token), { deadline: Date.now() + 5000 }, (err, res) =>
        err || !res ? reject(err ?? new Error('empty reply')) : resolve(res.cancelled),
      );
    });
  }

  dropBlocks(jobId: string, ids: number[] = []): Promise<void> {
    return this.control(() =>
      new Promise((resolve, reject) => {
        this.client.dropBlocks({ jobId, blockIds: ids }, tokenMetadata(this.token), { deadline: Date.now() + 5000 }, (err) => (err ? reject(err) : resolve()));
      }),
    );
  }

  /** Opens the long-lived task stream (see TaskStream). */
  openTasks(): grpc.ClientDuplexStream<pb.TaskStreamRequest, pb.TaskStreamReply__Output> {
    return this.client.tasks(tokenMetadata(this.token));
  }

  /**
   * Sets the worker's chaos for job `jobId`, or (`reset`) clears it if it is still that job's; with
   * only a delay and a seed, replaces the delay and keeps the faults (a schedule's `set delay`).
   */
  configure(jobId: string, chaos: { delay: DelaySpec; fault: FaultSpec; seed: number; cores: number } | { delay: DelaySpec; seed: number } | 'reset'): Promise<void> {
    const req: pb.WorkerConfig =
      chaos === 'reset'
        ? { jobId, reset: true }
        : 'fault' in chaos
          ? { jobId, delay: delayToMessage(chaos.delay), fault: chaos.fault, seed: String(chaos.seed), cores: chaos.cores }
          : { jobId, delay: delayToMessage(chaos.delay), seed: String(chaos.seed), delayOnly: true };
    return this.control(() =>
      new Promise((resolve, reject) => {
        this.client.configure(req, tokenMetadata(this.token), { deadline: Date.now() + 5000 }, (err) => (err ? reject(err) : resolve()));
      }),
    );
  }

  /**
   * An idempotent control call (configure, dropBlocks): tried again after UNAVAILABLE, which a
   * busy HTTP/2 server answers with a stream it refused and never ran (seen under a 720-worker
   * job's start on a loaded machine); the last failure is thrown as the call gave it (the cluster
   * names the worker and the call in its ClusterError).
   */
  private async control<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if ((e as { code?: number }).code !== grpc.status.UNAVAILABLE || attempt >= CONTROL_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  close(): void {
    this.client.close();
  }
}
