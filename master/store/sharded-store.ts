import { ClusterError } from '../../shared/errors';
import { RequestStream, tensorValues, tokenMetadata, unaryCall, vectorToTensor, type pb } from '../../shared/wire';
import type { MasterMetrics } from '../metrics';

/** How the master reaches its workers' Worker services (the cluster's own connections). */
export interface WorkerDialer {
  /** The worker's client; throws ClusterError when it is not connected. */
  client(worker: number): pb.WorkerClient;
  /** host:port the worker registered with: where its peers dial it too. */
  address(worker: number): string;
  token: string | undefined;
}

/** Slice r of a vector: [start, end), owned (kept and served) by `worker`. */
export interface SliceLayout {
  start: number;
  end: number;
  worker: number;
}

/** α gathered from its owners: the values, each slice's version, and their sum (updates contained). */
export interface Gathered {
  values: Float64Array;
  versions: number[];
  updates: number;
}

const CALL_DEADLINE_MS = 10_000;

/**
 * The master's side of the sharded parameter store (DESIGN: "store/: the sharded parameter
 * store's client side"). The slices live on the workers that own them; the master creates them,
 * gathers them for its snapshots (the loss curve, the final α) and drops them. It never serves α
 * to the workers: they read each other (worker/alpha-sources.ts).
 */
export class ShardedStore {
  constructor(
    private readonly dial: WorkerDialer,
    private readonly metrics?: MasterMetrics,
  ) {}

  /** Creates the slices on their owners at version 0, from `initial` (default zeros). */
  async create(jobId: string, name: string, layout: readonly SliceLayout[], initial?: Float64Array): Promise<ShardedVector> {
    const n = layout[layout.length - 1]?.end ?? 0;
    layout.forEach((s, r) => {
      if (s.start !== (r === 0 ? 0 : layout[r - 1]!.end) || s.end <= s.start) throw new ClusterError(`parameter '${name}': slice ${r} [${s.start}, ${s.end}) does not continue the slices before it`);
    });
    if (initial && initial.length !== n) throw new ClusterError(`parameter '${name}': initial value has ${initial.length} values, the slices cover ${n}`);
    const v = new ShardedVector(this.dial, jobId, name, layout, this.metrics);
    const made = await Promise.allSettled(
      layout.map(async (s, r) => {
        const c = this.dial.client(s.worker);
        const values = initial ? initial.slice(s.start, s.end) : new Float64Array(s.end - s.start);
        const req: pb.WriteSliceRequest = { key: { jobId, name, slice: r }, start: String(s.start), values: vectorToTensor(values), version: '0' };
        await unaryCall<pb.WriteSliceRequest, pb.WriteSliceReply__Output>(c.writeSlice.bind(c), req, tokenMetadata(this.dial.token), CALL_DEADLINE_MS, `creating slice ${r} of '${name}' on worker ${s.worker}`);
      }),
    );
    const failed = made.find((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed) {
      // Leave nothing half-made behind.
      await v.drop();
      throw failed.reason;
    }
    this.metrics?.parameterWrites.inc({ name }, layout.length);
    return v;
  }
}

/** One sharded vector: where its slices are, and the master's reads of them. */
export class ShardedVector {
  /** Every slice's owner, as the workers' tasks name them. */
  readonly owners: pb.SliceOwner[];
  readonly length: number;

  constructor(
    private readonly dial: WorkerDialer,
    readonly jobId: string,
    readonly name: string,
    readonly layout: readonly SliceLayout[],
    private readonly metrics?: MasterMetrics,
  ) {
    this.owners = layout.map((s) => ({ address: dial.address(s.worker), start: String(s.start), end: String(s.end) }));
    this.length = layout[layout.length - 1]?.end ?? 0;
  }

  /** One ReadSlices stream per slice, opened on first use: the master polls every few ms. */
  private readonly streams = new Map<number, RequestStream<pb.ReadSliceRequest, pb.ReadSliceReply__Output>>();

  /** Async, so a worker no longer connected is a rejection (Promise.all in versions/gather sees every read). */
  private async read(r: number, skipValues: boolean): Promise<pb.ReadSliceReply__Output> {
    let st = this.streams.get(r);
    if (!st) {
      const s = this.layout[r]!;
      const c = this.dial.client(s.worker);
      st = new RequestStream(() => c.readSlices(tokenMetadata(this.dial.token)), `reading slice ${r} of '${this.name}' from worker ${s.worker}`, CALL_DEADLINE_MS);
      this.streams.set(r, st);
    }
    return st.request({ key: { jobId: this.jobId, name: this.name, slice: r }, skipValues });
  }

  /** Each slice's version (no values: the progress poll). */
  async versions(): Promise<number[]> {
    const got = await Promise.all(this.layout.map((_, r) => this.read(r, true)));
    return got.map((g) => Number(g.version));
  }

  /**
   * Every slice from its owner, all at once, no lock: while the workers run, a gathered α may
   * mix versions like any worker's read; once they have stopped it is exact.
   */
  async gather(): Promise<Gathered> {
    const got = await Promise.all(this.layout.map((_, r) => this.read(r, false)));
    const values = new Float64Array(this.length);
    const versions = got.map((g, r) => {
      const s = this.layout[r]!;
      const v = tensorValues(g.values, `slice ${r} of '${this.name}'`);
      if (Number(g.start) !== s.start || v.length !== s.end - s.start) {
        throw new ClusterError(`worker ${s.worker} returned [${g.start}, ${Number(g.start) + v.length}) for slice ${r} of '${this.name}', which is [${s.start}, ${s.end})`);
      }
      values.set(v, s.start);
      return Number(g.version);
    });
    this.metrics?.parameterReads.inc({ name: this.name });
    return { values, versions, updates: versions.reduce((a, b) => a + b, 0) };
  }

  /** Forgets the slices on their owners (a lost owner has forgotten them already). */
  async drop(): Promise<void> {
    for (const st of this.streams.values()) st.close();
    this.streams.clear();
    await Promise.allSettled(
      [...new Set(this.layout.map((s) => s.worker))].map(async (w) => {
        const c = this.dial.client(w);
        await unaryCall<pb.DropSlicesRequest, pb.DropSlicesReply__Output>(c.dropSlices.bind(c), { jobId: this.jobId, name: this.name }, tokenMetadata(this.dial.token), CALL_DEADLINE_MS, `dropping '${this.name}' on worker ${w}`);
      }),
    );
  }
}
