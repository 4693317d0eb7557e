import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { protoRoot } from '../../shared/wire/proto';
import { Rng } from '../../shared/random';

/**
 * Message generators and a raw client for the wire fuzz test: requests built from the .proto
 * types with hostile values (wrong shapes, huge dims, NaN, empty and long strings, unknown
 * oneof cases), mutations of their encodings (bit flips, truncation, splices, inserted unknown
 * fields) and plain random bytes, sent through grpc-js with a pass-through serializer so bytes
 * that are no valid protobuf reach the server too.
 */

export function loadRoot(): protobuf.Root {
  const dir = protoRoot();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(['coda/v1/worker.proto', 'coda/v1/master.proto']);
  root.resolveAll();
  return root;
}

export type CallType = 'unary' | 'client-stream' | 'server-stream' | 'bidi';

export interface Rpc {
  /** /coda.v1.Worker/RunTask */
  path: string;
  service: 'Worker' | 'Master';
  name: string;
  type: CallType;
  request: protobuf.Type;
  response: protobuf.Type;
}

export function rpcsOf(root: protobuf.Root, service: 'Worker' | 'Master'): Rpc[] {
  const svc = root.lookupService(`coda.v1.${service}`);
  return svc.methodsArray.map((m) => {
    m.resolve();
    const type: CallType = m.requestStream ? (m.responseStream ? 'bidi' : 'client-stream') : m.responseStream ? 'server-stream' : 'unary';
    return { path: `/coda.v1.${service}/${m.name}`, service, name: m.name, type, request: m.resolvedRequestType!, response: m.resolvedResponseType! };
  });
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;

const DOUBLES = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, 2 ** 53, 1e9, 0.01];
const UINTS = [0, 1, 2, 3, 7, 255, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 1e6, 1e9];
const INTS = [0, 1, -1, -(2 ** 31), 2 ** 31 - 1, 7, 1e9, -5];
const LONGS = ['0', '1', '18446744073709551615', '9223372036854775807', '1000000000000', '3'];
const STRINGS = ['', 'job-1', 'fuzz', 'x'.repeat(300), '../../etc/passwd', '\u0000\uffff', 'cg', 'sd', 'inverse', 'pseudoinverse', 'gaussian', 'constant', 'lambda-tail', 'task', '127.0.0.1:1', 'master:7070'];

/** Eight random doubles' bytes, some NaN and infinite, as a Tensor's data would carry them. */
function doubleBytes(rng: Rng, n: number): Buffer {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform() < 0.3 ? pick(rng, DOUBLES) : rng.normal();
  return Buffer.from(a.buffer);
}

/** A Tensor with a shape that matches its bytes, or does not, or is huge. */
function tensor(rng: Rng): Record<string, unknown> {
  const r = rng.uniform();
  if (r < 0.25) {
    const n = 1 + Math.floor(rng.uniform() * 40);
    return { shape: [n], data: doubleBytes(rng, n) };
  }
  if (r < 0.45) return { shape: [pick(rng, UINTS), pick(rng, UINTS)], data: doubleBytes(rng, Math.floor(rng.uniform() * 16)) };
  if (r < 0.6) return { shape: [], data: doubleBytes(rng, 3).subarray(0, Math.floor(rng.uniform() * 24)) };
  if (r < 0.75) return { shape: Array.from({ length: 1 + Math.floor(rng.uniform() * 6) }, () => pick(rng, UINTS)), data: Buffer.alloc(0) };
  const n = Math.floor(rng.uniform() * 64);
  return { shape: [n, 1], data: Buffer.from(Float64Array.from({ length: n }, () => NaN).buffer) };
}

function scalar(rng: Rng, f: protobuf.Field): unknown {
  switch (f.type) {
    case 'double':
    case 'float':
      return pick(rng, DOUBLES);
    case 'uint32':
    case 'fixed32':
      return pick(rng, UINTS);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return pick(rng, INTS);
    case 'uint64':
    case 'int64':
    case 'fixed64':
    case 'sint64':
    case 'sfixed64':
      return pick(rng, LONGS);
    case 'bool':
      return rng.uniform() < 0.5;
    case 'string':
      return pick(rng, STRINGS);
    case 'bytes':
      return rng.uniform() < 0.5 ? doubleBytes(rng, Math.floor(rng.uniform() * 32)) : randomBytes(rng, Math.floor(rng.uniform() * 64));
    default:
      return 0;
  }
}

/**
 * A random message of a type: each field set or not, hostile values, repeated fields of 0..5,
 * one case of each oneof, Tensors with wrong shapes (depth-limited recursion).
 */
export function randomMessage(rng: Rng, t: protobuf.Type, depth = 0): Record<string, unknown> {
  if (t.fullName === '.coda.v1.Tensor') return tensor(rng);
  const o: Record<string, unknown> = {};
  const oneofFields = new Set<string>();
  for (const one of t.oneofsArray) {
    for (const f of one.fieldsArray) oneofFields.add(f.name);
    if (rng.uniform() < 0.85) {
      const f = pick(rng, one.fieldsArray);
      o[f.name] = value(rng, f, depth);
    }
  }
  for (const f of t.fieldsArray) {
    if (oneofFields.has(f.name) || rng.uniform() < 0.3) continue;
    if (f.repeated) o[f.name] = Array.from({ length: Math.floor(rng.uniform() * 6) }, () => value(rng, f, depth));
    else o[f.name] = value(rng, f, depth);
  }
  return o;
}

function value(rng: Rng, f: protobuf.Field, depth: number): unknown {
  f.resolve();
  if (f.resolvedType instanceof protobuf.Type) return depth > 4 ? {} : randomMessage(rng, f.resolvedType, depth + 1);
  if (f.resolvedType instanceof protobuf.Enum) return pick(rng, Object.values(f.resolvedType.values));
  return scalar(rng, f);
}

export function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng.uniform() * 256);
  return b;
}

/** A valid encoding mutated: bits flipped, cut short, bytes spliced in, or an unknown field appended. */
export function mutate(rng: Rng, bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  const r = rng.uniform();
  if (r < 0.3 && b.length) {
    for (let k = 0; k < 1 + Math.floor(rng.uniform() * 4); k++) {
      const i = Math.floor(rng.uniform() * b.length);
      b[i] = b[i]! ^ (1 << Math.floor(rng.uniform() * 8));
    }
    return b;
  }
  if (r < 0.55) return b.subarray(0, Math.floor(rng.uniform() * b.length));
  if (r < 0.8) {
    const at = Math.floor(rng.uniform() * (b.length + 1));
    return Buffer.concat([b.subarray(0, at), randomBytes(rng, 1 + Math.floor(rng.uniform() * 16)), b.subarray(at)]);
  }
  // Field 99 (unknown: a task kind no worker knows, an option no master reads), length-delimited.
  const extra = randomBytes(rng, Math.floor(rng.uniform() * 20));
  return Buffer.concat([b, Buffer.from([0x9a, 0x06, extra.length]), extra]);
}

export interface CallOutcome {
  /** The gRPC status the call ended with. */
  code: grpc.status;
  details: string;
  /** Response messages received (for streams; 1 or 0 for unary). */
  messages: Buffer[];
}

const pass = (b: Buffer): Buffer => b;

/**
 * Calls one RPC with raw bytes (for streaming requests, each buffer is one message) and resolves
 * with the status it ended with. The deadline makes every call end, answered or not.
 */
export function rawCall(client: grpc.Client, rpc: Rpc, messages: Buffer[], metadata: grpc.Metadata, deadlineMs: number): Promise<CallOutcome> {
  const options = { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    switch (rpc.type) {
      case 'unary':
        client.makeUnaryRequest(rpc.path, pass, pass, messages[0] ?? Buffer.alloc(0), metadata, options, (err, res) => {
          if (res) got.push(res);
          resolve({ code: err ? (err.code ?? grpc.status.UNKNOWN) : grpc.status.OK, details: err?.details ?? '', messages: got });
        });
        return;
      case 'client-stream': {
        const call = client.makeClientStreamRequest(rpc.path, pass, pass, metadata, options, (err, res) => {
          if (res) got.push(res);
          resolve({ code: err ? (err.code ?? grpc.status.UNKNOWN) : grpc.status.OK, details: err?.details ?? '', messages: got });
        });
        call.on('error', () => undefined);
        for (const m of messages) call.write(m);
        call.end();
        return;
      }
      case 'server-stream': {
        const call = client.makeServerStreamRequest(rpc.path, pass, pass, messages[0] ?? Buffer.alloc(0), metadata, options);
        call.on('data', (d: Buffer) => got.push(d));
        call.on('error', () => undefined);
        call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details, messages: got }));
        return;
      }
      case 'bidi': {
        const call = client.makeBidiStreamRequest(rpc.path, pass, pass, metadata, options);
        call.on('data', (d: Buffer) => got.push(d));
        call.on('error', () => undefined);
        call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details, messages: got }));
        for (const m of messages) call.write(m);
        call.end();
        return;
      }
    }
  });
}
