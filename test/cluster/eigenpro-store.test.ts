import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { runJob, startMaster } from '../../master';
import { parseJobOf } from '../../master';
import { jobContext } from '../helpers/job-context';
import { createRegistry } from '../../shared/metrics';
import { float64ToBytes } from '../../shared/tensor';
import { bindServer, CHANNEL_OPTIONS, channelCredentials, loadProtos, SERVER_OPTIONS, serverCredentials, serverOptions, shutdownServer, tensorValues, tokenMetadata, type pb } from '../../shared/wire';
import { ShardedAlpha, type StepChange } from '../../worker/alpha-sources';
import { WorkerMetrics } from '../../worker/metrics';
import { PeerClients } from '../../worker/peers';
import { sliceHandlers } from '../../worker/slice-service';
import { SliceStore, type SliceId } from '../../worker/slice-store';
import { withLocalCluster } from '../helpers/cluster-fixture';

/**
 * The centralized baseline (`store: master`) over real gRPC: 8 writers, one slice each, write concurrently (each with
 * its own channel) while readers read the whole vector. No write is lost: every slice ends at its
 * owner's last value with version = its number of writes; every read sees each slice whole
 * (one write's values, never half of two) and versions never go back.
 */
describe('the master\'s parameter store (store: master) under concurrent writers', () => {
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

/** A SliceStore that counts the reads it served (to know an owner has answered). */
class CountingStore extends SliceStore {
  served = 0;
  override read(...a: Parameters<SliceStore['read']>): ReturnType<SliceStore['read']> {
    this.served++;
    return super.read(...a);
  }
}

/**
 * An owner in this process: a real gRPC server with the worker's slice handlers over its own
 * store. With `gate`, each ReadSlices request waits (in order) until the gate opens: an owner
 * whose replies the test delays at will.
 */
async function startOwner(token: string, gate?: { closed: boolean; held: number; open: () => void; opened: Promise<void> }): Promise<{ address: string; store: CountingStore; stop: () => Promise<void> }> {
  const store = new CountingStore();
  const handlers = sliceHandlers(store, new WorkerMetrics(createRegistry('worker', {}, 'never')));
  const served: typeof handlers = !gate
    ? handlers
    : {
        ...handlers,
        ReadSlices(call) {
          // The real handler sees the requests only once the gate lets them through.
          const facade = Object.assign(new EventEmitter(), { metadata: call.metadata, write: (m: pb.ReadSliceReply) => call.write(m), end: () => call.end() });
          const emit = facade.emit.bind(facade);
          facade.emit = (ev: string | symbol, ...args: unknown[]): boolean => (ev === 'error' ? call.emit('error', ...args) : emit(ev, ...args));
          let chain = Promise.resolve();
          call.on('data', (m: pb.ReadSliceRequest__Output) => {
            if (gate.closed) gate.held++;
            chain = chain.then(() => (gate.closed ? gate.opened : undefined)).then(() => void facade.emit('data', m));
          });
          call.on('end', () => void chain.then(() => facade.emit('end')));
          handlers.ReadSlices(facade as unknown as typeof call);
        },
      };
  const server = new grpc.Server(serverOptions(SERVER_OPTIONS, token));
  server.addService(loadProtos().worker.coda.v1.Worker.service, served as unknown as grpc.UntypedServiceImplementation);
  const port = await bindServer(server, '127.0.0.1', 0, serverCredentials(undefined));
  return { address: `127.0.0.1:${port}`, store, stop: () => shutdownServer(server, 1000) };
}

function makeGate(): { closed: boolean; held: number; open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const g = { closed: true, held: 0, opened, open: () => ((g.closed = false), open()) };
  return g;
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A step's change written in-process into the owner's store (what the compute side does in place). */
function inProcess(store: SliceStore, id: SliceId, delta: Float64Array): StepChange {
  return { writeOwn: () => Promise.resolve(store.add(id, delta)), takeDelta: () => Promise.resolve(delta) };
}

const token = 'shard-test';
const jobId = 'job-1';
const slice = (s: number): SliceId => ({ jobId, name: 'alpha', slice: s });

/**
 * Slices A (slice 0) and B (slice 1) on two owners; the reader R owns slice 2. B's replies wait
 * for a gate the test opens, so the test can write between A's reply and B's.
 */
async function threeOwners(): Promise<{
  a: Awaited<ReturnType<typeof startOwner>>;
  b: Awaited<ReturnType<typeof startOwner>>;
  gate: ReturnType<typeof makeGate>;
  reader: ShardedAlpha;
  readerStore: SliceStore;
  stop: () => Promise<void>;
}> {
  const gate = makeGate();
  const a = await startOwner(token);
  const b = await startOwner(token, gate);
  const readerStore = new SliceStore();
  a.store.put(slice(0), 0, Float64Array.from([1, 1]), 0);
  b.store.put(slice(1), 2, Float64Array.from([2, 2]), 0);
  readerStore.put(slice(2), 4, Float64Array.from([3, 3]), 0);
  const owners: pb.SliceOwner__Output[] = [
    { address: a.address, start: '0', end: '2' },
    { address: b.address, start: '2', end: '4' },
    { address: 'unused: read in-process', start: '4', end: '6' },
  ];
  const peers = new PeerClients(token);
  const reader = new ShardedAlpha(owners, 2, jobId, 'alpha', readerStore, peers);
  return {
    a,
    b,
    gate,
    reader,
    readerStore,
    stop: async () => {
      peers.close();
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

describe('the sharded store: reads gather the slices from their owners without locks', () => {
  it('a slice written between two owners\' replies makes the read mixed: it equals no α that ever existed', async () => {
    const t = await threeOwners();
    try {
      const reading = t.reader.read();
      // A has answered (version 0); B holds the request.
      await until(() => t.a.store.served === 1 && t.gate.held === 1, "A's reply and B's held request");
      t.a.store.add(slice(0), Float64Array.from([10, 10])); // A: version 1
      await new Promise((r) => setTimeout(r, 2));
      t.b.store.add(slice(1), Float64Array.from([20, 20])); // B: version 1, after A's
      t.gate.open();
      const got = await reading;
      // A before its write, B after its write, which came after A's: α was (A0, B0), then
      // (A1, B0), then (A1, B1), never (A0, B1).
      expect(Array.from(got.alpha)).toEqual([1, 1, 22, 22, 3, 3]);
      expect(got.updatesSeen).toBe(1);
      // The reader's update (at its write's time), then its next read settles the verdict.
      await t.reader.write(inProcess(t.readerStore, slice(2), Float64Array.from([0.5, 0.5])));
      const next = await t.reader.read();
      expect(Array.from(next.alpha)).toEqual([11, 11, 22, 22, 3.5, 3.5]);
      const l = t.reader.ledger;
      expect([l.reads, l.classified, l.mixed, l.overlapped]).toEqual([1, 1, 1, 1]);
      // τ: A's write landed after the read's copy of A and before the reader's write; B's
      // version 1 was in the read already.
      expect(l.tauHistogram[1]).toBe(1);
      expect(l.versionRegressions).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('a slice written during the read but after the read\'s other versions is overlapped, not mixed', async () => {
    const t = await threeOwners();
    try {
      const reading = t.reader.read();
      await until(() => t.a.store.served === 1 && t.gate.held === 1, "A's reply and B's held request");
      t.a.store.add(slice(0), Float64Array.from([10, 10])); // A: version 1 while B's reply waits
      t.gate.open();
      const got = await reading;
      // (A0, B0) held until A's write: a consistent read, though A changed before B answered.
      expect(Array.from(got.alpha)).toEqual([1, 1, 2, 2, 3, 3]);
      await t.reader.write(inProcess(t.readerStore, slice(2), Float64Array.from([0, 0])));
      await t.reader.finish();
      const l = t.reader.ledger;
      expect([l.reads, l.classified, l.mixed, l.overlapped]).toEqual([1, 1, 0, 1]);
      expect(l.tauHistogram[1]).toBe(1);
    } finally {
      await t.stop();
    }
  });

  it('connect opens the stream to every other owner with a versions-only read and leaves the bookkeeping alone', async () => {
    const a = await startOwner(token);
    const b = await startOwner(token);
    const own = new CountingStore();
    a.store.put(slice(0), 0, Float64Array.from([1, 1]), 0);
    b.store.put(slice(1), 2, Float64Array.from([2, 2]), 0);
    own.put(slice(2), 4, Float64Array.from([3, 3]), 0);
    const layout: pb.SliceOwner__Output[] = [
      { address: a.address, start: '0', end: '2' },
      { address: b.address, start: '2', end: '4' },
      { address: 'unused: read in-process', start: '4', end: '6' },
    ];
    const peers = new PeerClients(token);
    const src = new ShardedAlpha(layout, 2, jobId, 'alpha', own, peers);
    try {
      a.store.add(slice(0), Float64Array.from([10, 10]));
      await src.connect();
      // One read each of the other owners, none of the own slice; nothing counted, nothing to judge.
      expect([a.store.served, b.store.served, own.served]).toEqual([1, 1, 0]);
      expect([src.ledger.reads, src.ledger.classified, src.ledger.versionRegressions]).toEqual([0, 0, 0]);
      const got = await src.read();
      expect(Array.from(got.alpha)).toEqual([11, 11, 2, 2, 3, 3]);
      expect(got.updatesSeen).toBe(1);
      await src.write(inProcess(own, slice(2), Float64Array.from([1, 1])));
      await src.finish();
      expect([src.ledger.reads, src.ledger.classified, src.ledger.mixed]).toEqual([1, 1, 0]);
    } finally {
      peers.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('refuses a caller without the cluster token, a write that would take a version back, an unknown slice', async () => {
    const o = await startOwner(token);
    o.store.put(slice(0), 0, new Float64Array(2), 3);
    const peers = new PeerClients('wrong');
    const client = new (loadProtos().worker.coda.v1.Worker)(o.address, channelCredentials(undefined), CHANNEL_OPTIONS);
    const write = (version: number, tok = token): Promise<unknown> =>
      new Promise((res, rej) =>
        client.writeSlice({ key: slice(0), start: '0', values: { shape: [2], data: float64ToBytes(new Float64Array(2)) }, version: String(version) }, tokenMetadata(tok), (e, r) => (e ? rej(e) : res(r))),
      );
    const read = (s: number): Promise<unknown> => new Promise((res, rej) => client.readSlice({ key: slice(s) }, tokenMetadata(token), (e, r) => (e ? rej(e) : res(r))));
    try {
      await expect(peers.reads(o.address).request({ key: slice(0) })).rejects.toThrow(/missing or wrong cluster token/);
      await expect(write(4, 'wrong')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(write(3)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringMatching(/at version 3; a write at version 3 would go back/) });
      await expect(write(4)).resolves.toMatchObject({ version: '4' });
      await expect(read(7)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
      peers.close();
      await o.stop();
    }
  });

  it('loses no write under concurrent owners and readers: every slice ends at the sum of its updates, versions only grow', async () => {
    const G = 6;
    const updates = 40;
    const owners = await Promise.all(Array.from({ length: G }, () => startOwner(token)));
    const len = 50;
    const layout: pb.SliceOwner__Output[] = owners.map((o, r) => ({ address: o.address, start: String(r * len), end: String((r + 1) * len) }));
    owners.forEach((o, r) => o.store.put(slice(r), r * len, new Float64Array(len), 0));
    const peers = Array.from({ length: G }, () => new PeerClients(token));
    try {
      // Each owner runs Algorithm 1's loop on its own slice: read α from every owner, write its
      // slice (+ (r+1) everywhere), over real gRPC, all at once.
      const loops = owners.map(async (o, r) => {
        const src = new ShardedAlpha(layout, r, jobId, 'alpha', o.store, peers[r]!);
        const seen = new Array<number>(G).fill(0);
        for (let k = 0; k < updates; k++) {
          const { alpha } = await src.read();
          for (let s = 0; s < G; s++) {
            // Each slice whole (one write's values, never parts of two) and never older than before.
            const v = alpha[s * len]! / (s + 1);
            expect(Number.isInteger(v), `slice ${s} read by ${r}: ${alpha[s * len]}`).toBe(true);
            for (let i = s * len; i < (s + 1) * len; i++) expect(alpha[i]).toBe(alpha[s * len]);
            expect(v).toBeGreaterThanOrEqual(seen[s]!);
            seen[s] = v;
          }
          await src.write(inProcess(o.store, slice(r), new Float64Array(len).fill(r + 1)));
          // Let the other loops and the servers run between iterations.
          await new Promise((res) => setImmediate(res));
        }
        await src.finish();
        return src.ledger;
      });
      const ledgers = await Promise.all(loops);
      owners.forEach((o, r) => {
        const fin = o.store.read(slice(r));
        expect(fin.version).toBe(updates);
        expect(Array.from(fin.values!)).toEqual(new Array<number>(len).fill(updates * (r + 1)));
      });
      for (const l of ledgers) {
        expect(l.reads).toBe(updates);
        expect(l.classified).toBe(updates);
        expect(l.versionRegressions).toBe(0);
        expect(l.mixed).toBeLessThanOrEqual(l.overlapped);
      }
    } finally {
      peers.forEach((p) => p.close());
      await Promise.all(owners.map((o) => o.stop()));
    }
  }, 60_000);
});

/**
 * AsyncEigenPro on 8 real worker processes, no injected delay, α sharded: the workers' reads mix
 * versions, no write is lost (each slice's final version is its owner's update count and its
 * values add up to the owner's changes), versions never go back; the master's store as the
 * baseline in the same cluster never mixes.
 */
describe('AsyncEigenPro on the sharded store, 8 workers', () => {
  const G = 8;
  const job = (store: string): string => `
job: kernel-regression
solver: eigenpro-async
data: { synthetic: { kind: regression, rows: 1250, cols: 5, noise: 0.1, seed: 3 }, testFraction: 0.2 }
kernel: { name: laplacian, bandwidth: 2 }
eigenpro: { nystrom: 100, q: 30, batch: 64, epochs: 20, evalPoints: 0, evalsPerEpoch: 1, store: ${store} }
workers: ${G}
seed: 4
`;
  interface Result {
    final: { trainRelError: number };
    updates: number;
    staleness: { meanTau: number; maxTau: number; updatesWithTau: number; quantiles: { p50: number; p90: number }; histogram: Record<string, number> };
    reads: {
      total: number;
      classified: number;
      mixed: number;
      overlapped: number;
      torn: number;
      elementMixed: number;
      mixedFraction: number;
      versionRegressions: number;
      latency: { medianMs: number; p99Ms: number; maxMs: number };
    };
    legs: number;
    store: { kind: string; lostWrites: number; maxChecksumGap: number; snapshots: number };
    perWorker: { updates: number; sliceVersion: number }[];
  }

  it('mixes versions in its reads and loses no write; the master store never mixes', async () => {
    await withLocalCluster({ workers: G, stderr: 'ignore' }, async (lc) => {
      const run = async (store: string): Promise<Result> =>
        (await runJob(parseJobOf('kernel-regression', job(store), 'test'), jobContext(lc))).result as Result;
      const sharded = await run('sharded');
      const central = await run('master');

      const note = JSON.stringify({ reads: sharded.reads, staleness: sharded.staleness.quantiles });
      expect(sharded.store.kind).toBe('sharded');
      expect(sharded.reads.mixed, note).toBeGreaterThan(0);
      expect(sharded.reads.classified).toBeGreaterThan(0.95 * sharded.reads.total);
      expect(sharded.reads.total).toBe(sharded.updates);
      expect(sharded.reads.versionRegressions).toBe(0);
      // A half-written slice was being written during its copy: every element-mixed read is torn.
      expect(sharded.reads.elementMixed).toBeLessThanOrEqual(sharded.reads.torn);
      expect(sharded.reads.torn).toBeLessThanOrEqual(sharded.reads.total);
      expect(sharded.reads.latency.medianMs).toBeGreaterThan(0);
      expect(sharded.reads.latency.p99Ms).toBeGreaterThanOrEqual(sharded.reads.latency.medianMs);
      expect(sharded.reads.latency.maxMs).toBeGreaterThanOrEqual(sharded.reads.latency.p99Ms);
      // No checkpoint, no barrier: one leg for the whole run.
      expect(sharded.legs).toBe(1);
      expect(sharded.store.lostWrites).toBe(0);
      expect(sharded.store.maxChecksumGap).toBeLessThan(1e-9);
      expect(sharded.store.snapshots).toBeGreaterThan(5);
      for (const w of sharded.perWorker) {
        expect(w.updates).toBeGreaterThan(0);
        expect(w.sliceVersion).toBe(w.updates);
      }
      // The τ distribution: as many updates as have a verdict; stale by a few of the other 7
      // workers' writes, not by many rounds of them.
      const counted = Object.values(sharded.staleness.histogram).reduce((a, b) => a + b, 0);
      expect(counted).toBe(sharded.staleness.updatesWithTau);
      expect(sharded.staleness.maxTau).toBeGreaterThan(0);
      expect(sharded.staleness.quantiles.p50, note).toBeLessThanOrEqual(2 * G);
      expect(sharded.final.trainRelError).toBeLessThan(0.02);

      expect(central.store.kind).toBe('master');
      expect(central.reads.mixed).toBe(0);
      expect(central.reads.overlapped).toBe(0);
      expect([central.reads.torn, central.reads.elementMixed]).toEqual([0, 0]);
      expect(central.store.lostWrites).toBe(0);
      expect(central.final.trainRelError).toBeLessThan(0.02);
    });
  }, 240_000);
});
