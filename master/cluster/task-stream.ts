import type * as grpc from '@grpc/grpc-js';
import type { pb } from '../../shared/wire';
import type { IgnoredAnswerReason } from './answer-check';

/** What a round listens to on one worker's stream. Its methods must not throw (RoundRun guards them). */
export interface RoundListener {
  result(r: pb.TaskResult__Output): void;
  failure(f: pb.TaskFailure__Output): void;
}

type Duplex = grpc.ClientDuplexStream<pb.TaskStreamRequest, pb.TaskStreamReply__Output>;

function roundKey(jobId: string, round: string): string {
  return `${jobId}\u0000${round}`;
}

/** What the stream does with a reply no round takes (counted; see IgnoredAnswerReason). */
export type OnIgnored = (reason: Extract<IgnoredAnswerReason, 'late' | 'empty'>, detail: string) => void;

/**
 * The master's end of one worker's long-lived task stream: sends a round's tasks for the worker
 * in one message, routes the answers (per slot, as they finish) to the round that asked, carries
 * cancellations. A stream that ends or errors while the master did not close it means the worker
 * is gone: `onBroken` fires once (the cluster marks the worker lost, rounds relocate its slots).
 *
 * What the worker sends is not trusted: bytes that are no TaskStreamReply end the call in grpc-js
 * (INTERNAL, so the stream breaks: the worker is lost); a reply for no round in flight (another
 * job, another round, a round already decided) or with neither a result nor a failure is counted
 * and dropped; nothing a reply holds can make the data handler throw into grpc-js.
 */
export class TaskStream {
  private readonly call: Duplex;
  private readonly rounds = new Map<string, RoundListener>();
  private closed = false;

  constructor(open: () => Duplex, onBroken: (reason: string) => void, onIgnored: OnIgnored = () => undefined) {
    this.call = open();
    let reported = false;
    const broken = (reason: string): void => {
      if (this.closed || reported) return;
      reported = true;
      this.closed = true;
      onBroken(reason);
    };
    this.call.on('data', (m: pb.TaskStreamReply__Output) => {
      try {
        this.route(m, onIgnored);
      } catch (e) {
        // Unreachable by design (the listeners guard themselves): a last line, so that grpc-js
        // never sees an exception of ours. The worker's messages can no longer be trusted.
        broken(`a reply could not be handled: ${(e as Error)?.message ?? String(e)}`);
        this.call.cancel();
      }
    });
    this.call.on('error', (e: grpc.ServiceError) => broken(`task stream failed: ${e.details || e.message}`));
    this.call.on('end', () => broken('task stream ended by the worker'));
  }

  private route(m: pb.TaskStreamReply__Output, onIgnored: OnIgnored): void {
    const r = m?.result ?? undefined;
    const f = m?.failure ?? undefined;
    const reply = r ?? f;
    if (!reply) return onIgnored('empty', 'a reply with neither a result nor a failure');
    const listener = this.rounds.get(roundKey(String(reply.jobId), String(reply.round)));
    if (!listener) return onIgnored('late', `job ${JSON.stringify(String(reply.jobId).slice(0, 64))} round ${String(reply.round).slice(0, 24)}: no such round in flight`);
    if (r) listener.result(r);
    else listener.failure(f!);
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
