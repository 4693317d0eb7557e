import type * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../errors';

/**
 * Request/reply over one long-lived bidirectional stream whose server answers every request
 * with exactly one message, in order (e.g. Worker.ReadSlices): `request` writes the message and
 * resolves with the next reply in line. The stream is opened on first use and again after it
 * broke; a break (an error status, the server ending it, a reply past the deadline) rejects every
 * request still waiting, with a ClusterError saying what was being done.
 */
export class RequestStream<Req, Res> {
  private call: grpc.ClientDuplexStream<Req, Res> | undefined;
  private waiting: { resolve: (r: Res) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly open: () => grpc.ClientDuplexStream<Req, Res>,
    private readonly what: string,
    private readonly deadlineMs = 10_000,
  ) {}

  /** Never throws: a stream that cannot be opened (its channel closed) is a rejected request. */
  request(req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      // Inside the executor: a caller gathering several requests with Promise.all must get every
      // one as a promise, or one that throws leaves the others' rejections unhandled.
      const call = this.call ?? this.start();
      // A reply this late means the stream (or its server) is stuck: give up on all of it.
      const timer = setTimeout(() => this.broke(call, new Error(`no reply within ${this.deadlineMs / 1000} s`), true), this.deadlineMs);
      this.waiting.push({ resolve, reject, timer });
      call.write(req);
    });
  }

  private start(): grpc.ClientDuplexStream<Req, Res> {
    const call = this.open();
    this.call = call;
    call.on('data', (r: Res) => {
      const w = this.waiting.shift();
      if (!w) return;
      clearTimeout(w.timer);
      w.resolve(r);
    });
    call.on('error', (e: grpc.ServiceError) => this.broke(call, e, false));
    call.on('end', () => this.broke(call, new Error('the server ended the stream'), false));
    return call;
  }

  private broke(call: grpc.ClientDuplexStream<Req, Res>, e: Error, cancel: boolean): void {
    if (this.call !== call) return;
    this.call = undefined;
    if (cancel) call.cancel();
    const waiting = this.waiting;
    this.waiting = [];
    const msg = (e as grpc.ServiceError).details || e.message;
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.reject(new ClusterError(`${this.what}: ${msg}`, { cause: e }));
    }
  }

  /** Ends the stream; requests still waiting are rejected. */
  close(): void {
    const call = this.call;
    if (!call) return;
    this.broke(call, new Error('closed'), false);
    call.end();
  }
}
