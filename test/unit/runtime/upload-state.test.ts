import { describe, expect, it } from 'vitest';
import { UploadState, type UploadLimits, type UploadStep } from '../../../master/server/upload-state';
import { bindUploadPaths, uploadNamesIn } from '../../../master/server/uploads';
import { InputError, ResourceError } from '../../../shared/errors';
import { TensorAssembler, tensorChunks, type pb } from '../../../shared/wire';

const LIMITS: UploadLimits = { maxBytes: 1000, availableMemory: () => 10_000, freeDisk: () => 10_000 };

/** An UploadChunk as grpc-js hands it to the handler (defaults filled in). */
function msg(m: { name?: string; shape?: number[]; data?: number[]; total?: number }): pb.UploadChunk__Output {
  return { name: m.name ?? '', shape: m.shape ?? [], data: Buffer.from(m.data ?? []), totalBytes: String(m.total ?? 0) };
}

const bytes = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 256);

describe('UploadState: the checks of an UploadArrays stream', () => {
  it('two arrays in chunks: open, writes, close for each, and the totals at the end', () => {
    const s = new UploadState(LIMITS);
    const steps: UploadStep[] = [
      ...s.accept(msg({ name: 'A', shape: [2, 3], total: 64, data: bytes(20) })),
      ...s.accept(msg({ data: bytes(28) })),
      ...s.accept(msg({ name: 'b', shape: [2] })),
      ...s.accept(msg({ data: bytes(16) })),
    ];
    expect(steps.map((x) => (x.type === 'write' ? `write ${x.data.byteLength}` : `${x.type} ${x.name}`))).toEqual(['open A', 'write 20', 'write 28', 'close A', 'open b', 'write 16', 'close b']);
    expect(s.finish()).toEqual({ names: ['A', 'b'], bytes: 64 });
  });

  it('refuses an upload over the per-job limit, the memory or the disk before anything is stored (ResourceError: RESOURCE_EXHAUSTED)', () => {
    expect(() => new UploadState(LIMITS).accept(msg({ name: 'A', shape: [200], total: 1600 }))).toThrow(ResourceError);
    expect(() => new UploadState(LIMITS).accept(msg({ name: 'A', shape: [200], total: 1600 }))).toThrow(/^upload of 1600 bytes \(2 kB\) refused: more than this master's per-job limit of 1000 bytes \(1 kB; coda master --max-upload-bytes\)$/);
    expect(() => new UploadState({ ...LIMITS, availableMemory: () => 100 }).accept(msg({ name: 'A', shape: [100], total: 800 }))).toThrow(/memory the master has available/);
    expect(() => new UploadState({ ...LIMITS, freeDisk: () => 100 }).accept(msg({ name: 'A', shape: [100], total: 800 }))).toThrow(/free in the master's upload folder/);
  });

  it('refuses a malformed stream with an InputError naming the problem', () => {
    const cases: [pb.UploadChunk__Output[], RegExp][] = [
      [[msg({ name: '../x', shape: [1], total: 8 })], /array name '..\/x' is not valid/],
      [[msg({ name: 'A', shape: [2, 2, 2], total: 64 })], /1-D or 2-D/],
      [[msg({ name: 'A', shape: [], total: 8 })], /1-D or 2-D/],
      [[msg({ name: 'A', shape: [2], total: 8 })], /goes past the declared total of 8 bytes/],
      [[msg({ name: 'A', shape: [1], total: 16, data: bytes(8) }), msg({ name: 'A', shape: [1] })], /sent twice/],
      [[msg({ name: 'A', shape: [2], total: 16, data: bytes(8) }), msg({ name: 'B', shape: [1] })], /'B' started before 'A' was complete \(8 of 16 bytes\)/],
      [[msg({ name: 'A', shape: [1], total: 8, data: bytes(16) })], /more bytes than its shape holds/],
      [[msg({ total: 8, data: bytes(8) })], /data before any array was named/],
      [[msg({ name: 'A', shape: [1], total: 8 }), msg({ total: 8 })], /total_bytes may be given on the first message only/],
      [[msg({ shape: [1], total: 8 })], /a shape without a name/],
    ];
    for (const [msgs, re] of cases) {
      const s = new UploadState(LIMITS);
      expect(() => msgs.forEach((m) => s.accept(m))).toThrow(re);
    }
  });

  it('a stream that ends early is refused: an array short of its bytes, or fewer bytes than declared', () => {
    const short = new UploadState(LIMITS);
    short.accept(msg({ name: 'A', shape: [2], total: 16, data: bytes(8) }));
    expect(() => short.finish()).toThrow(/'A' ended after 8 of its 16 bytes/);
    const fewer = new UploadState(LIMITS);
    fewer.accept(msg({ name: 'A', shape: [1], total: 16, data: bytes(8) }));
    expect(() => fewer.finish()).toThrow(/declared 16 bytes, sent 8/);
    expect(() => new UploadState(LIMITS).finish()).toThrow(InputError);
  });

  it('an empty array (a zero in its shape) opens and closes at once', () => {
    const s = new UploadState(LIMITS);
    expect(s.accept(msg({ name: 'E', shape: [0, 3], total: 0 })).map((x) => x.type)).toEqual(['open', 'close']);
    expect(s.finish()).toEqual({ names: ['E'], bytes: 0 });
  });
});

describe('upload: paths in a job', () => {
  it('bound to the upload folder\'s files; synthetic settings and master paths left alone; a missing upload or name is an InputError naming the key', () => {
    const job = { job: 'x', data: { A: 'upload:A', b: 'data/b.npy', synthetic: { kind: 'upload:A' } } };
    expect(() => bindUploadPaths(job, undefined, 'submitted job')).toThrow(/submitted job: data.A: upload:A names an uploaded array, but no upload came with the job/);
    // A folder without A.npy: the name is not one of the upload's.
    expect(() => bindUploadPaths(job, '/nonexistent-upload', 'submitted job')).toThrow(/data.A: no array named 'A' was uploaded with the job/);
    expect(bindUploadPaths({ job: 'x', data: { A: 'a.npy' } }, undefined, 's')).toEqual({ job: 'x', data: { A: 'a.npy' } });
  });

  it('messages name the uploaded files as the job did', () => {
    expect(uploadNamesIn('/tmp/u/abc/test.X.npy contains NaN at row 1, column 2', '/tmp/u/abc')).toBe('upload:test.X contains NaN at row 1, column 2');
    expect(uploadNamesIn('nothing to change', undefined)).toBe('nothing to change');
  });
});

describe('tensor chunks: a solution larger than one message', () => {
  it('split and reassembled exactly, for sizes around the chunk size and an empty tensor', () => {
    for (const n of [0, 1, 7, 8, 9, 33]) {
      const values = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e10);
      const asm = new TensorAssembler();
      const pieces = [...tensorChunks('x.npy', [n], values, 64)];
      expect(pieces.length).toBe(Math.max(1, Math.ceil((8 * n) / 64)));
      for (const c of pieces) asm.add({ name: c.name!, shape: c.shape ?? [], data: Buffer.from(c.data as Uint8Array), first: c.first ?? false });
      const got = asm.tensors()['x.npy']!;
      expect(got.shape).toEqual([n]);
      expect(Array.from(got.values)).toEqual(Array.from(values));
    }
  });

  it('refuses a chunk before its first, an overfull tensor and an incomplete one', () => {
    const asm = new TensorAssembler();
    expect(() => asm.add({ name: 'a', shape: [], data: Buffer.alloc(8), first: false })).toThrow(/a chunk before its first one/);
    asm.add({ name: 'b', shape: [2], data: Buffer.alloc(8), first: true });
    expect(() => asm.tensors()).toThrow(/b: 8 of its 16 bytes arrived/);
    expect(() => asm.add({ name: 'b', shape: [], data: Buffer.alloc(16), first: false })).toThrow(/more bytes than its shape/);
  });
});
