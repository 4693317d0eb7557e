import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { startMaster } from '../../master';
import { float64ToBytes } from '../../shared/tensor';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tensorValues, tokenMetadata, type pb } from '../../shared/wire';

/**
 * The parameter store over real gRPC: 8 writers, one slice each, write concurrently (each with
 * its own channel) while readers read the whole vector. No write is lost: every slice ends at its
 * owner's last value with version = its number of writes; every read sees each slice whole
 * (one write's values, never half of two) and versions never go back.
 */
describe('parameter store under concurrent writers', () => {
  it('never loses a write', async () => {
    const token = 'store-test';
    const master = await startMaster({ token });
    const G = 8;
    const n = 8 * 250;
    const writes = 60;
    const vec = master.store.create('alpha', n, G);
    const { master: proto } = loadProtos();
    const md = tokenMetadata(token);
    const clients = Array.from({ length: G + 2 }, () => new proto.coda.v1.Master(master.address, channelCredentials(undefined), CHANNEL_OPTIONS));
    const call = <R>(f: (cb: (e: grpc.ServiceError | null, r?: R) => void) => void): Promise<R> =>
      new Promise((res, rej) => f((e, r) => (e || !r ? rej(e ?? new Error('empty')) : res(r))));
    try {
      const writers = Array.from({ length: G }, async (_, r) => {
        const c = clients[r]!;
        const s = vec.slices[r]!;
        for (let k = 1; k <= writes; k++) {
          // Value k·(r+1) everywhere in the slice: a torn read would show two values.
          const v = new Float64Array(s.end - s.start).fill(k * (r + 1));
          await call<pb.WriteParametersReply__Output>((cb) =>
            c.writeParameters({ name: 'alpha', owner: r, slice: { start: s.start, end: s.end }, values: { shape: [v.length], data: float64ToBytes(v) } }, md, cb),
          );
        }
      });
      let reads = 0;
      let done = false;
      const readers = [G, G + 1].map(async (i) => {
        const last = new Array<number>(G).fill(0);
        while (!done) {
          const rep = await call<pb.ReadParametersReply__Output>((cb) => clients[i]!.readParameters({ name: 'alpha' }, md, cb));
          const v = tensorValues(rep.values, 'read');
          vec.slices.forEach((s, r) => {
            const first = v[s.start]!;
            for (let j = s.start; j < s.end; j++) expect(v[j]).toBe(first);
            const version = Number(rep.sliceVersions[r]);
            expect(first).toBe(version * (r + 1));
            expect(version).toBeGreaterThanOrEqual(last[r]!);
            last[r] = version;
          });
          reads++;
        }
      });
      await Promise.all(writers);
      done = true;
      await Promise.all(readers);
      expect(reads).toBeGreaterThan(0);
      vec.slices.forEach((s, r) => {
        expect(s.version).toBe(writes);
        for (let j = s.start; j < s.end; j++) expect(vec.values[j]).toBe(writes * (r + 1));
      });
      expect(vec.totalVersion).toBe(G * writes);
    } finally {
      clients.forEach((c) => c.close());
      await master.stop();
    }
  }, 60_000);
});
