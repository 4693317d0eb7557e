import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { bytesToFloat64, float64ToBytes } from '../../../shared/tensor';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, loadProtos, protoRoot } from '../../../shared/wire';
import { chunks } from '../../../shared/wire/chunking';

const root = join(__dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('the contract', () => {
  it('generated types are up to date with the .proto files (npm run gen)', () => {
    const out = mkdtempSync(join(tmpdir(), 'coda-gen-'));
    try {
      execFileSync(
        process.execPath,
        [join(root, 'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'), 'coda/v1/worker.proto', 'coda/v1/master.proto',
          '--longs=String', '--enums=String', '--defaults', '--oneofs', '--includeComments', '--grpcLib=@grpc/grpc-js', `--outDir=${out}`, '-I', join(root, 'proto')],
        { stdio: 'pipe' },
      );
      const committed = join(root, 'proto/generated');
      const fresh = files(out).map((f) => relative(out, f)).sort();
      expect(fresh).toEqual(files(committed).map((f) => relative(committed, f)).sort());
      for (const f of fresh) {
        // The header names the source path, which differs only by the include dir.
        const norm = (s: string): string => s.replace(/^\/\/ Original file: .*$/gm, '');
        expect(norm(readFileSync(join(out, f), 'utf8')), f).toBe(norm(readFileSync(join(committed, f), 'utf8')));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a TaskRequest with a tensor round-trips through protobuf bytes; tensors are bytes, not repeated doubles', () => {
    const pbRoot = new protobuf.Root();
    pbRoot.resolvePath = (_o, target) => join(protoRoot(), target.replace(/^.*coda\/v1\//, 'coda/v1/'));
    pbRoot.loadSync('coda/v1/worker.proto');
    const T = pbRoot.lookupType('coda.v1.TaskRequest');
    const x = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const msg = T.fromObject({ jobId: 'j', round: 3, slot: 2, blocks: [{ blockId: 1, weight: 0.5 }], lsGradient: { x: { shape: [1000], data: float64ToBytes(x) } } });
    const bytes = T.encode(msg).finish();
    expect(bytes.length).toBeLessThan(8000 + 64); // 8 bytes a value plus framing
    const back = T.toObject(T.decode(bytes), { longs: String, oneofs: true }) as { kind: string; lsGradient: { x: { data: Uint8Array } } };
    expect(back.kind).toBe('lsGradient');
    expect(Array.from(bytesToFloat64(back.lsGradient.x.data))).toEqual(Array.from(x));
  });

  it("placement chunks stay under gRPC's 4 MiB limit and cover the bytes exactly", () => {
    const data = new Uint8Array(5 * (1 << 20) + 17);
    const parts = [...chunks(data)];
    expect(parts.every((p) => p.byteLength <= 1 << 20)).toBe(true);
    expect(parts.reduce((a, p) => a + p.byteLength, 0)).toBe(data.byteLength);
  });
});

describe("the task stream's direct encoders", () => {
  it("give proto-loader's bytes for every kind of message Coda sends on it, and decode back to the same", () => {
    const reference = protoLoader.loadSync('coda/v1/worker.proto', { ...LOADER_OPTIONS, includeDirs: [protoRoot()] })['coda.v1.Worker'] as protoLoader.ServiceDefinition;
    const tasks = loadProtos().worker.coda.v1.Worker.service.Tasks;
    const x = float64ToBytes(Float64Array.from([1.5, -2, 3e-300, NaN]));
    const requests = [
      { round: { jobId: 'job-1', round: '0', shared: { noop: {} }, slots: [{ slot: 0, blocks: [], work: 1 }] } },
      { round: { jobId: 'j', round: '18446744073709551615', shared: { matvec: { x: { shape: [4], data: x } } }, slots: [{ slot: 3, blocks: [{ blockId: 7, weight: -0.5 }], work: 2.25, workPerIteration: 0.125 }, { slot: 4, blocks: [], work: 0 }] } },
      { round: { jobId: 'j', round: '5', slots: [{ slot: 1, blocks: [], work: 1, lsGradient: { x: { shape: [2, 2], data: x } } }] } },
      { cancel: { jobId: 'j', round: '5', slots: [1, 2, 70000] } },
    ];
    const replies = [
      { result: { workerIndex: 255, jobId: 'j', round: '1099511627776', slot: 9, timings: { computeSeconds: 1e-6, injectedDelaySeconds: 0, queueSeconds: 2.5, loopLagP99Seconds: 0, loopLagMaxSeconds: 0.25 }, payload: { shape: [0], data: Buffer.alloc(0) } } },
      { result: { workerIndex: 0, jobId: '', round: '0', slot: 0, payload: { shape: [2, 2], data: x } } },
      { failure: { jobId: 'j', round: '3', slot: 2, code: 13, message: 'ünïcödé failure' } },
    ];
    for (const m of requests) {
      const bytes = tasks.requestSerialize(m as never);
      expect(Buffer.compare(bytes, reference.Tasks!.requestSerialize(m))).toBe(0);
      expect(reference.Tasks!.requestDeserialize(bytes)).toEqual(reference.Tasks!.requestDeserialize(reference.Tasks!.requestSerialize(m)));
    }
    for (const m of replies) {
      const bytes = tasks.responseSerialize(m as never);
      expect(Buffer.compare(bytes, reference.Tasks!.responseSerialize(m))).toBe(0);
    }
    expect(() => tasks.responseSerialize([] as never)).toThrow(/expected object/);
  });
});
