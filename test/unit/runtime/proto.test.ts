import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { bytesToFloat64, float64ToBytes } from '../../../shared/tensor';
import { protoRoot } from '../../../shared/wire';
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
