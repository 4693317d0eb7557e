import type * as grpc from '@grpc/grpc-js';
import { ClusterError, InputError } from '../shared/errors';
import { float64ToBytes } from '../shared/tensor';
import { tensorValues, tokenMetadata, unaryCall, type pb } from '../shared/wire';
import type { LoopHandle } from './compute';
import type { PeerClients } from './peers';
import { judgeRead, ReadLedger, type SliceCopy, type SliceFollowup } from './read-bookkeeping';
import type { SliceId, SliceRead, SliceStore } from './slice-store';

/** Deadline of one store call. */
const CALL_DEADLINE_MS = 10_000;

/** A client of the master's service and the cluster token to call it with. */
export interface MasterAccess {
  client: pb.MasterClient;
  token: string | undefined;
}

/** The sharded parameter store as a worker sees it: the slices it owns, and the other owners. */
export interface ParamAccess {
  slices: SliceStore;
  peers: PeerClients;
}

/** α as one read assembled it, and the updates it contains (the sum of the slices' versions). */
export interface AlphaRead {
  alpha: Float64Array;
  updatesSeen: number;
}

/** Where the last step's change is: the compute side of the loop (compute/engine.ts's LoopHandle). */
export type StepChange = Pick<LoopHandle, 'writeOwn' | 'takeDelta'>;

/**
 * Where an AsyncEigenPro loop reads α and writes its own slice: the sharded store (every slice
 * from its owner) or the master's store (the centralized baseline). Both keep a ReadLedger.
 */
export interface AlphaSource {
  readonly ledger: ReadLedger;
  /**
   * Opens what the reads go through, before the loop's first read (which is timed): a channel's
   * first call pays its TCP and HTTP/2 handshakes and its first messages' encoders, once a job.
   */
  connect(): Promise<void>;
  /** Reads α̂ into `into` (default: an array of the source's own, reused by the next read). */
  read(into?: Float64Array): Promise<AlphaRead>;
  /** True: the own slice is shared memory the compute side writes in place (the step may write at once). */
  readonly writesInPlace: boolean;
  /** Records a write the compute side made in place; returns the slice's new version. */
  wrote(w: { version: number; writtenAtUs: number }): number;
  /** Writes the last step's change to the own slice; returns the slice's new version. */
  write(change: StepChange): Promise<number>;
  /** Settles the bookkeeping of the last read (no read follows). */
  finish(): Promise<void>;
  /** The own slice's version now. */
  ownVersion(): number;
}

/**
 * α sharded across the workers: each slice is read from its owner, all owners at once, no lock
 * (Algorithm 1, line 12); the own slice is read and written in-process. The next read (or
 * finish) settles the last one's verdict (read-bookkeeping.ts).
 */
export class ShardedAlpha implements AlphaSource {
  readonly ledger = new ReadLedger();
  readonly writesInPlace = true;
  private readonly alpha: Float64Array;
  private readonly ids: SliceId[];
  /** The last read's copies, and whether an update (at untilUs) followed it. */
  private last: SliceCopy[] | null = null;
  private untilUs: number | null = null;
  /** Whether the last read got another owner's slice while it was written, and half written. */
  private lastTorn = false;
  private lastElementMixed = false;

  constructor(
    private readonly owners: readonly pb.SliceOwner__Output[],
    private readonly own: number,
    jobId: string,
    name: string,
    private readonly slices: SliceStore,
    private readonly peers: PeerClients,
  ) {
    const n = Number(owners[owners.length - 1]?.end ?? 0);
    owners.forEach((o, s) => {
      if (Number(o.start) !== (s === 0 ? 0 : Number(owners[s - 1]!.end)) || Number(o.end) <= Number(o.start)) {
        throw new InputError(`eigenproAsync: slice ${s} [${o.start}, ${o.end}) does not continue the slices before it`);
      }
    });
    if (!owners[own]) throw new InputError(`eigenproAsync: own slice ${own} is not among the ${owners.length} slices`);
    this.ids = owners.map((_, s) => ({ jobId, name, slice: s }));
    if (!slices.has(this.ids[own]!)) throw new ClusterError(`eigenproAsync: this worker holds no slice ${own} of '${name}' (the master creates it before the loop; a slot moved off a lost worker finds none)`);
    this.alpha = new Float64Array(n);
  }

  private readOne(s: number, skipValues: boolean, previous: { version: number; untilUs: number } | undefined): Promise<SliceRead> {
    const id = this.ids[s]!;
    if (s === this.own) return Promise.resolve(this.slices.read(id, { skipValues, ...(previous ? { previous } : {}) }));
    const o = this.owners[s]!;
    const req: pb.ReadSliceRequest = {
      key: id,
      skipValues,
      hasPrevious: !!previous,
      ...(previous ? { previousVersion: String(previous.version), untilUs: previous.untilUs } : {}),
    };
    return this.peers.reads(o.address).request(req).then((r) => ({
      values: skipValues ? null : tensorValues(r.values, `slice ${s} from ${o.address}`),
      start: Number(r.start),
      version: Number(r.version),
      writtenAtUs: r.writtenAtUs,
      servedAtUs: r.servedAtUs,
      nextWrittenAtUs: r.nextWrittenAtUs,
      writesUntil: r.writesUntil,
      historyComplete: r.historyComplete,
      torn: r.torn,
      mixedElements: r.mixedElements,
    }));
  }

  /**
   * A versions-only read of every other owner's slice, its answer dropped: it opens the peer's
   * channel and ReadSlices stream and leaves the bookkeeping alone. Without it, each worker's
   * first read of α carried the connections to every owner (at 8 workers and 2 epochs, about 40
   * reads a worker: its first one was 2 % of the reads and most of the latency's p99).
   */
  async connect(): Promise<void> {
    await Promise.all(this.owners.map((_, s) => (s === this.own ? undefined : this.readOne(s, true, undefined))));
  }

  /** Every slice at once; with the last read's versions when an update followed it (its followup). */
  private async gather(skipValues: boolean): Promise<SliceRead[]> {
    const last = this.last;
    const until = this.untilUs;
    const got = await Promise.all(
      this.owners.map((_, s) => this.readOne(s, skipValues, last && until !== null ? { version: last[s]!.version, untilUs: until } : undefined)),
    );
    if (last && until !== null) {
      const followups: SliceFollowup[] = got.map((r) => ({ nextWrittenAtUs: r.nextWrittenAtUs, writesUntil: r.writesUntil, complete: r.historyComplete }));
      this.ledger.judged(judgeRead(last, followups, this.own));
      this.untilUs = null;
    }
    if (last) got.forEach((r, s) => r.version < last[s]!.version && this.ledger.versionRegressions++);
    return got;
  }

  async read(into: Float64Array = this.alpha): Promise<AlphaRead> {
    if (into.length !== this.alpha.length) throw new InputError(`eigenproAsync: α has ${this.alpha.length} values, the loop's array ${into.length}`);
    const got = await this.gather(false);
    let updatesSeen = 0;
    this.lastTorn = false;
    this.lastElementMixed = false;
    got.forEach((r, s) => {
      const o = this.owners[s]!;
      if (r.start !== Number(o.start) || r.values!.length !== Number(o.end) - Number(o.start)) {
        throw new InputError(`slice ${s} from ${o.address} covers [${r.start}, ${r.start + r.values!.length}), the job says [${o.start}, ${o.end})`);
      }
      into.set(r.values!, r.start);
      updatesSeen += r.version;
      if (s !== this.own) {
        this.lastTorn ||= r.torn;
        this.lastElementMixed ||= r.mixedElements;
      }
    });
    this.last = got.map((r) => ({ version: r.version, writtenAtUs: r.writtenAtUs, servedAtUs: r.servedAtUs, mixedElements: r.mixedElements }));
    return { alpha: into, updatesSeen };
  }

  wrote(w: { version: number; writtenAtUs: number }): number {
    this.slices.ownerWrote();
    this.ledger.reads++;
    if (this.lastTorn) this.ledger.torn++;
    if (this.lastElementMixed) this.ledger.elementMixed++;
    this.untilUs = w.writtenAtUs;
    return w.version;
  }

  async write(change: StepChange): Promise<number> {
    return this.wrote(await change.writeOwn());
  }

  async finish(): Promise<void> {
    if (this.last && this.untilUs !== null) await this.gather(true);
  }

  ownVersion(): number {
    return this.slices.read(this.ids[this.own]!, { skipValues: true }).version;
  }
}

/**
 * The centralized baseline (`store: master`): α lives on the master, every read is one copy made
 * on its single thread (so never mixed), τ is exact from the master's global version counter:
 * total version after the write − total version of the read − 1. The own slice is taken from the
 * master on the first read and kept here, where it is always current.
 */
export class MasterAlpha implements AlphaSource {
  readonly ledger = new ReadLedger();
  readonly writesInPlace = false;
  private readonly md: grpc.Metadata;
  private readonly own: Float64Array;
  private ownTaken = false;
  private readTotal = 0;
  private version = 0;

  constructor(
    private readonly master: MasterAccess,
    private readonly name: string,
    private readonly owner: number,
    private readonly start: number,
    end: number,
  ) {
    this.md = tokenMetadata(master.token);
    this.own = new Float64Array(end - start);
  }

  /** The master's channel is the one this worker registered over: already open. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  async read(into?: Float64Array): Promise<AlphaRead> {
    const c = this.master.client;
    const r = await unaryCall<pb.ReadParametersRequest, pb.ReadParametersReply__Output>(c.readParameters.bind(c), { name: this.name }, this.md, CALL_DEADLINE_MS, 'reading α from the master');
    const got = tensorValues(r.values, 'ReadParameters.values');
    if (into && into.length !== got.length) throw new InputError(`eigenproAsync: the master's α has ${got.length} values, the loop's array ${into.length}`);
    const alpha = into ? (into.set(got), into) : got;
    if (!this.ownTaken) {
      this.own.set(alpha.subarray(this.start, this.start + this.own.length));
      this.version = Number(r.sliceVersions[this.owner] ?? 0);
      this.ownTaken = true;
    } else alpha.set(this.own, this.start);
    this.readTotal = Number(r.totalVersion);
    return { alpha, updatesSeen: this.readTotal };
  }

  wrote(): number {
    throw new Error('the master\'s store is written through WriteParameters, never in place');
  }

  async write(change: StepChange): Promise<number> {
    const delta = await change.takeDelta();
    for (let i = 0; i < this.own.length; i++) this.own[i]! += delta[i]!;
    const c = this.master.client;
    const w = await unaryCall<pb.WriteParametersRequest, pb.WriteParametersReply__Output>(
      c.writeParameters.bind(c),
      { name: this.name, owner: this.owner, slice: { start: this.start, end: this.start + this.own.length }, values: { shape: [this.own.length], data: float64ToBytes(this.own) } },
      this.md,
      CALL_DEADLINE_MS,
      'writing the own slice to the master',
    );
    this.ledger.reads++;
    this.ledger.judged({ mixed: false, overlapped: false, tau: Math.max(0, Number(w.totalVersion) - this.readTotal - 1) });
    this.version = Number(w.version);
    return this.version;
  }

  finish(): Promise<void> {
    return Promise.resolve();
  }

  ownVersion(): number {
    return this.version;
  }
}
