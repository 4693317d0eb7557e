import { createServer, type Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type * as protobuf from 'protobufjs';
import { spawnLocalWorkers, stopProcesses } from '../../launcher';
import type { LocalWorkerProcess } from '../../launcher/local-processes';
import { Rng } from '../../shared/random';
import { freePort } from './free-port';
import { loadRoot, randomBytes, randomMessage, rpcsOf, type Rpc } from './wire-fuzz';

/**
 * A hostile worker for the master's receiving side: a real worker process (so it registers,
 * heartbeats, stores its blocks and computes honest answers as every worker does) that advertises
 * a proxy in this process, a grpc-js server of the contract's Worker service that forwards every
 * call to it as raw bytes, and tampers with what goes back to the master on a seeded schedule:
 * answers of the wrong length, shape or kind, NaN and infinities, duplicates, answers for other
 * rounds, jobs and slots, huge payloads, replies that are no protobuf at all, streams reset mid-
 * round, and garbage for the bulk channel's reply. It never sends a plausible wrong value the
 * master could take for a real answer: no scheme without verification could tell (that is the
 * Byzantine case, out of scope); every tampered answer either is refusable on its face or names a
 * round, job or slot the master never asked this worker for.
 */

export const MISCHIEF = [
  'short',
  'long',
  'empty',
  'no-payload',
  'odd-bytes',
  'bad-shape',
  'nan',
  'inf',
  'huge',
  'duplicate',
  'bad-then-honest',
  'other-round',
  'other-job',
  'unknown-slot',
  'empty-reply',
  'fuzz-reply',
  'garbage',
  'reset',
] as const;
export type Mischief = (typeof MISCHIEF)[number];

/** What OpenBulk answers: the real worker's channel, none (LoadBlocks through the proxy), or a port that answers garbage. */
export type BulkMode = 'honest' | 'none' | 'garbage';

export interface Schedule {
  seed: number;
  /** Probability that an answer is tampered with. */
  rate: number;
  /** The tricks drawn from (uniformly). */
  mischief: readonly Mischief[];
  bulk: BulkMode;
}

/** Answers past the master's grasp for slots: no plan here has this many slots. */
const FOREIGN_SLOT = 4096;

const pass = (b: Buffer): Buffer => b;

/** Metadata to pass on: the caller's own keys, not the transport's. */
function forwarded(md: grpc.Metadata): grpc.Metadata {
  const out = new grpc.Metadata();
  for (const [k, v] of Object.entries(md.getMap())) {
    if (k.startsWith('grpc-') || k.startsWith(':') || k === 'user-agent' || k === 'content-type' || k === 'te') continue;
    out.set(k, v);
  }
  return out;
}

function options(call: { getDeadline(): grpc.Deadline }): grpc.CallOptions {
  const d = call.getDeadline();
  return d === Infinity ? {} : { deadline: d };
}

/** What is written back on a server call of any streaming kind. */
interface ServerSide {
  readonly cancelled: boolean;
  write(b: Buffer): boolean;
  end(): void;
  emit(event: 'error', e: Partial<grpc.StatusObject>): boolean;
}

type ReplyObject = {
  result?: { workerIndex?: number; round?: string; slot?: number; timings?: unknown; payload?: { shape?: number[]; data?: Uint8Array } | null; jobId?: string };
  failure?: unknown;
};

export class HostileWorker {
  /** How often each trick was played (honest answers under 'honest'). */
  readonly played = new Map<string, number>();
  private schedule: Schedule = { seed: 1, rate: 0, mischief: [], bulk: 'honest' };
  private rng = new Rng(1);
  private readonly root = loadRoot();
  private readonly replyType: protobuf.Type;
  private readonly bulkReplyType: protobuf.Type;
  private readonly garbage: NetServer;
  private readonly sockets = new Set<Socket>();
  private upstream!: grpc.Client;
  private server!: grpc.Server;
  private proc: LocalWorkerProcess | undefined;
  address = '';
  private upstreamAddress = '';
  private garbagePort = 0;

  private constructor() {
    this.replyType = this.root.lookupType('coda.v1.TaskStreamReply');
    this.bulkReplyType = this.root.lookupType('coda.v1.OpenBulkReply');
    // The bulk channel's garbage end: reads whatever the master streams, answers random bytes.
    this.garbage = createServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => undefined);
      sock.once('data', () => {
        const r = this.rng.uniform();
        if (r < 0.3) sock.destroy();
        else sock.end(randomBytes(this.rng, r < 0.6 ? 3 : 4 + this.rng.int(300)));
      });
    });
  }

  /** Starts the proxy and the real worker behind it; resolves once the worker process is spawned. */
  static async start(master: string): Promise<HostileWorker> {
    const h = new HostileWorker();
    await new Promise<void>((r) => h.garbage.listen(0, '127.0.0.1', r));
    h.garbagePort = (h.garbage.address() as { port: number }).port;
    const upPort = await freePort();
    h.upstreamAddress = `127.0.0.1:${upPort}`;
    h.upstream = new grpc.Client(h.upstreamAddress, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });
    h.server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });
    const service: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const rpc of rpcsOf(h.root, 'Worker')) {
      service[rpc.name] = {
        path: rpc.path,
        requestStream: rpc.type === 'client-stream' || rpc.type === 'bidi',
        responseStream: rpc.type === 'server-stream' || rpc.type === 'bidi',
        requestSerialize: pass,
        requestDeserialize: pass,
        responseSerialize: pass,
        responseDeserialize: pass,
      };
      impl[rpc.name] = rpc.name === 'Tasks' ? h.tasks(rpc) : rpc.name === 'OpenBulk' ? h.openBulk(rpc) : h.forward(rpc);
    }
    h.server.addService(service, impl);
    const port = await new Promise<number>((resolve, reject) =>
      h.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    h.address = `127.0.0.1:${port}`;
    [h.proc] = spawnLocalWorkers(1, { master, args: ['--port', String(upPort), '--advertise', h.address] });
    return h;
  }

  get pid(): number {
    return this.proc!.pid;
  }

  /** The schedule for what follows (each with its own seeded stream). */
  use(schedule: Schedule): void {
    this.schedule = schedule;
    this.rng = new Rng(schedule.seed);
  }

  async stop(): Promise<void> {
    if (this.proc) await stopProcesses([this.proc]);
    this.server.forceShutdown();
    this.upstream.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.garbage.close(() => r()));
  }

  private count(what: string): void {
    this.played.set(what, (this.played.get(what) ?? 0) + 1);
  }

  /** Any call but Tasks and OpenBulk: the bytes go through untouched. */
  private forward(rpc: Rpc): grpc.UntypedHandleCall {
    const up = this.upstream;
    switch (rpc.type) {
      case 'unary':
        return (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          up.makeUnaryRequest(rpc.path, pass, pass, call.request, forwarded(call.metadata), options(call), (err, res) => (err ? cb(err) : cb(null, res)));
        };
      case 'client-stream':
        return (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const u = up.makeClientStreamRequest(rpc.path, pass, pass, forwarded(call.metadata), options(call), (err, res) => (err ? cb(err) : cb(null, res)));
          call.on('data', (b: Buffer) => u.write(b));
          call.on('end', () => u.end());
          call.on('cancelled', () => u.cancel());
          call.on('error', () => u.cancel());
        };
      case 'server-stream':
        return (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
          const u = up.makeServerStreamRequest(rpc.path, pass, pass, call.request, forwarded(call.metadata), options(call));
          this.pipeBack(u, call);
          call.on('cancelled', () => u.cancel());
        };
      case 'bidi':
        return (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
          const u = up.makeBidiStreamRequest(rpc.path, pass, pass, forwarded(call.metadata), options(call));
          this.pipeBack(u, call);
          call.on('data', (b: Buffer) => u.write(b));
          call.on('end', () => u.end());
          call.on('cancelled', () => u.cancel());
          call.on('error', () => u.cancel());
        };
    }
  }

  /** The upstream's messages and status back to the master's call. */
  private pipeBack(u: grpc.ClientReadableStream<Buffer>, call: ServerSide, onData = (b: Buffer) => void call.write(b)): void {
    u.on('data', onData);
    u.on('error', () => undefined);
    u.on('status', (s: grpc.StatusObject) => {
      if (call.cancelled) return;
      if (s.code === grpc.status.OK) call.end();
      else call.emit('error', { code: s.code, details: s.details, metadata: s.metadata });
    });
  }

  /** OpenBulk as the schedule says: the real channel, none, or the garbage port. */
  private openBulk(rpc: Rpc): grpc.UntypedHandleCall {
    const honest = this.forward(rpc) as (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void;
    return (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const mode = this.schedule.bulk;
      this.count(`bulk:${mode}`);
      if (mode === 'honest') return honest(call, cb);
      const reply = mode === 'none' ? { port: 0, ticket: Buffer.alloc(0) } : { port: this.garbagePort, ticket: randomBytes(this.rng, 16) };
      cb(null, Buffer.from(this.bulkReplyType.encode(this.bulkReplyType.fromObject(reply)).finish()));
    };
  }

  /** The task stream: requests forwarded as they are; each reply the worker sends back may be tampered with. */
  private tasks(rpc: Rpc): grpc.UntypedHandleCall {
    return (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const u = this.upstream.makeBidiStreamRequest(rpc.path, pass, pass, forwarded(call.metadata), options(call));
      let open = true;
      const close = (): void => {
        open = false;
        u.cancel();
      };
      call.on('cancelled', close);
      call.on('error', close);
      call.on('end', () => u.end());
      call.on('data', (b: Buffer) => u.write(b));
      this.pipeBack(u, call, (b: Buffer) => {
        if (!open) return;
        for (const out of this.tamper(b)) {
          if (out === 'reset') {
            open = false;
            u.cancel();
            call.emit('error', { code: grpc.status.INTERNAL, details: 'stream reset by the hostile worker' });
            return;
          }
          call.write(out);
        }
      });
    };
  }

  private encode(o: ReplyObject): Buffer {
    return Buffer.from(this.replyType.encode(this.replyType.fromObject(o)).finish());
  }

  /** What goes to the master for one honest reply: messages (raw bytes), or a reset. */
  private tamper(raw: Buffer): (Buffer | 'reset')[] {
    const m = this.replyType.toObject(this.replyType.decode(raw), { longs: String, defaults: true, oneofs: true }) as ReplyObject;
    const r = m.result;
    if (!r || this.rng.uniform() >= this.schedule.rate || this.schedule.mischief.length === 0) {
      this.count('honest');
      return [raw];
    }
    const trick = this.schedule.mischief[this.rng.int(this.schedule.mischief.length)]!;
    this.count(trick);
    const data = r.payload?.data ?? new Uint8Array(0);
    const values = new Float64Array(Uint8Array.from(data).buffer);
    const shape = r.payload?.shape ?? [values.length];
    const tensor = (v: Float64Array, s: number[] = [v.length]) => ({ shape: s, data: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
    const withPayload = (payload: { shape: number[]; data: Uint8Array } | null, over: Partial<NonNullable<ReplyObject['result']>> = {}): Buffer => this.encode({ result: { ...r, ...over, payload } });
    // Plausible wrong values: only ever sent where the master must not take them.
    const perturbed = tensor(values.map((x) => x + 1 + Math.abs(x)), shape);
    const round = BigInt(r.round ?? '0');
    switch (trick) {
      case 'short':
        return [withPayload(tensor(values.subarray(0, Math.max(0, values.length - 1 - this.rng.int(Math.max(1, values.length)))).slice()))];
      case 'long':
        return [withPayload(tensor(Float64Array.from([...values, ...new Float64Array(1 + this.rng.int(50)).fill(0.5)])))];
      case 'empty':
        return [withPayload(tensor(new Float64Array(0)))];
      case 'no-payload':
        return [withPayload(null)];
      case 'odd-bytes':
        return [withPayload({ shape, data: Buffer.concat([Buffer.from(data), Buffer.from([1, 2, 3])]) })];
      case 'bad-shape':
        return [withPayload({ shape: [...shape, 2], data: Buffer.from(data) })];
      case 'nan':
      case 'inf': {
        const v = Float64Array.from(values);
        if (v.length === 0) return [withPayload(tensor(Float64Array.of(NaN)))];
        v[this.rng.int(v.length)] = trick === 'nan' ? NaN : -Infinity;
        return [withPayload(tensor(v, shape))];
      }
      case 'huge':
        // 16 MB: past what a worker sends (8 MB), within the master's receive limit (64 MB).
        return [withPayload(tensor(new Float64Array(2 << 20)))];
      case 'duplicate':
        return [raw, withPayload(perturbed)];
      case 'bad-then-honest':
        return [withPayload(tensor(values.subarray(0, Math.floor(values.length / 2)).slice())), raw];
      case 'other-round':
        return [withPayload(perturbed, { round: String(this.rng.uniform() < 0.5 && round > 1n ? round - 1n : round + 1_000_000n) }), raw];
      case 'other-job':
        return [withPayload(perturbed, { jobId: `${r.jobId ?? ''}-not` }), raw];
      case 'unknown-slot':
        return [withPayload(perturbed, { slot: FOREIGN_SLOT + this.rng.int(1000) }), raw];
      case 'empty-reply':
        return [this.encode({}), raw];
      case 'fuzz-reply': {
        let fuzz: Buffer;
        try {
          fuzz = Buffer.from(this.replyType.encode(this.replyType.fromObject(randomMessage(this.rng, this.replyType))).finish());
        } catch {
          fuzz = randomBytes(this.rng, 1 + this.rng.int(64));
        }
        return [fuzz, raw];
      }
      case 'garbage':
        // Bytes that are no TaskStreamReply end the master's call (and the worker with it); bytes
        // that happen to parse name no round of any job, and the real answer follows.
        return [randomBytes(this.rng, 1 + this.rng.int(200)), raw];
      case 'reset':
        return ['reset'];
    }
  }
}
