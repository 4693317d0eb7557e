import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
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
  const worker = grpc.loadPackageDefinition(
    protoLoader.loadSync('coda/v1/worker.proto', opts),
  ) as unknown as WorkerProto;
  const master = grpc.loadPackageDefinition(
    protoLoader.loadSync('coda/v1/master.proto', opts),
  ) as unknown as MasterProto;
  cached = { worker, master };
  return cached;
}
