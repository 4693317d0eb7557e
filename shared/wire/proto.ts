import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';
import type { ProtoGrpcType as WorkerProto } from '../../proto/generated/worker';
import type { ProtoGrpcType as MasterProto } from '../../proto/generated/master';

/**
 * Loads the contract from proto/ at run time (the generated .ts files are types only). The
 * options match the ones the types were generated with (see "gen" in package.json).
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** proto/ from the source tree (tests) or from dist/ (built). */
export function protoRoot(): string {
  for (const candidate of [resolve(__dirname, '../../proto'), resolve(__dirname, '../../../proto')]) {
    if (existsSync(join(candidate, 'coda/v1/worker.proto'))) return candidate;
  }
  throw new Error(`cannot find proto/coda/v1/worker.proto near ${__dirname}`);
}

let cached: { worker: WorkerProto; master: MasterProto } | undefined;

export function loadProtos(): { worker: WorkerProto; master: MasterProto } {
  if (cached) return cached;
  const root = protoRoot();
  const opts = { ...LOADER_OPTIONS, includeDirs: [root] };
  const workerDef = protoLoader.loadSync('coda/v1/worker.proto', opts);
  encodeTasksDirectly(workerDef, root);
  const worker = grpc.loadPackageDefinition(workerDef) as unknown as WorkerProto;
  const master = grpc.loadPackageDefinition(
    protoLoader.loadSync('coda/v1/master.proto', opts),
  ) as unknown as MasterProto;
  cached = { worker, master };
  return cached;
}

/**
 * The task stream's messages (a round's tasks, each task's answer: thousands a second) are
 * encoded straight from the objects Coda builds, without proto-loader's fromObject copy into
 * message instances first (a third of their encoding's CPU, and garbage). That copy only converts
 * what Coda never sends: enum names (the contract has no enums), base64 strings for bytes, and
 * 64-bit integers given as numbers, which the encoder takes as they are. The bytes are the same
 * (test/unit/runtime/proto.test.ts checks them against proto-loader's). Decoding is unchanged.
 */
function encodeTasksDirectly(def: protoLoader.PackageDefinition, root: string): void {
  const tasks = (def['coda.v1.Worker'] as protoLoader.ServiceDefinition | undefined)?.Tasks;
  if (!tasks) throw new Error('coda/v1/worker.proto: no Worker.Tasks method');
  const types = new protobuf.Root();
  types.resolvePath = (_origin, target) => join(root, target);
  types.loadSync('coda/v1/worker.proto', { keepCase: false });
  const request = types.lookupType('coda.v1.TaskStreamRequest');
  const reply = types.lookupType('coda.v1.TaskStreamReply');
  tasks.requestSerialize = (m: object): Buffer => direct(request, m);
  tasks.responseSerialize = (m: object): Buffer => direct(reply, m);
}

function direct(type: protobuf.Type, m: object): Buffer {
  if (Array.isArray(m) || m === null || typeof m !== 'object') throw new Error(`Failed to serialize message: expected object with ${type.name} structure`);
  const out = type.encode(m as protobuf.Message).finish();
  // protobufjs writes a Buffer under Node: no copy.
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
