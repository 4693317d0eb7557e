import type * as grpc from '@grpc/grpc-js';
import type { pb } from '../../shared/wire';

/** What a round listens to on one worker's stream. */
export interface RoundListener {
  result(r: pb.TaskResult__Output): void;
  failure(f: pb.TaskFailure__Output): void;
}

type Duplex = grpc.ClientDuplexStream<pb.TaskStreamRequest, pb.TaskStreamReply__Output>;

function roundKey(jobId: string, round: string): string {
  return `${jobId}\u0000${round}`;
}

/**
 * The master's end of one worker's long-lived task stream: sends a round's tasks for the worker
 * in one message, routes the answers (per slot, as they finish) to the round that asked, carries
 * cancellations. A stream that ends or errors while the master did not close it means the worker
 * is gone: `onBroken` fires once (the cluster marks the worker lost, rounds relocate its slots).
 */
export class TaskStream {
  private readonly call: Duplex;
  private readonly rounds = new Map<string, RoundListener>();
  private closed = false;

  constructor(open: () => Duplex, onBroken: (reason: string) => void) {
    this.call = open();
    let reported = false;
    const broken = (reason: string): void => {
      if (this.closed || reported) return;
      reported = true;
      this.closed = true;
      onBroken(reason);
    };
    this.call.on('data', (m: pb.TaskStreamReply__Output) => {
      if (m.result) this.rounds.get(roundKey(m.result.jobId, m.result.round))?.result(m.result);
      else if (m.failure) this.rounds.get(roundKey(m.failure.jobId, m.failure.round))?.failure(m.failure);
    });
    this.call.on('error', (e: grpc.ServiceError) => broken(`task stream failed: ${e.details || e.message}`));
    this.call.on('end', () => broken('task stream ended by the worker'));
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Routes answers of (jobId, round) to `listener` until the returned function is called. */
  listen(jobId: string, round: string, listener: RoundListener): () => void {
    const k = roundKey(jobId, round);
    this.rounds.set(k, listener);
    return () => {
      if (this.rounds.get(k) === listener) this.rounds.delete(k);
    };
  }

  send(round: pb.RoundTasks): void {
    if (!this.closed) this.call.write({ round });
  }

  cancel(jobId: string, round: string, slots: number[]): void {
    if (!this.closed && slots.length > 0) this.call.write({ cancel: { jobId, round, slots } });
  }

  /** Ends the stream from the master's side (the worker aborts whatever it still runs for it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.cancel();
  }
}
