import { performance } from 'node:perf_hooks';
import { ClusterError } from '../../shared/errors';
import { eigenproStep } from '../../shared/kernels';
import { ASYNC_REPORT_LENGTH, decodeAsyncReport, histogramQuantile, LATENCY_BINS, latencyQuantileMs, TAU_BINS, type AsyncLegReport } from '../../shared/store';
import type { pb } from '../../shared/wire';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import type { HeldParameterStore, ShardedParameterStore } from '../parameter-stores';
import type { Snapshot } from './evaluate';
import { splitGathered } from './plan';
import type { EigenproStepRule, WorkerPreconditioner } from './setup';

/** Where α lives: sharded across the workers (each owns its slice), or on the master (the baseline). */
export type AsyncStoreKind = 'sharded' | 'master';

/** Per-worker numbers of the async loop, summed over its legs (shared/store's AsyncLegReport). */
export type AsyncWorkerStats = Omit<AsyncLegReport, 'tauHistogram' | 'tauMedianRecent'> & {
  worker: number;
  /** τ median of the worker's last 32 updates in its last leg. */
  tauMedian: number;
  tauHistogram: number[];
};

/** τ over every update of every worker (Definition 1: other workers' writes between read and write). */
export interface StalenessSummary {
  definition: string;
  /** G − 1: what workers taking turns would see. */
  expected: number;
  updatesWithTau: number;
  meanTau: number;
  maxTau: number;
  quantiles: { p10: number; p50: number; p90: number; p99: number };
  /** τ -> updates, the τ that occurred (the last bin, TAU_BINS − 1, counts that many and more). */
  histogram: Record<string, number>;
}

export interface ReadsSummary {
  definition: string;
  /** Reads that fed an update. */
  total: number;
  /** Reads whose verdict could be decided (the owners still knew the write times). */
  classified: number;
  mixed: number;
  overlapped: number;
  /** mixed / classified. */
  mixedFraction: number;
  overlappedFraction: number;
  /** Reads that got some other owner's slice while its compute thread was writing it (a write overlapped the copy). */
  torn: number;
  /** Reads that got some slice half written, its elements of two versions (each such read is also mixed). */
  elementMixed: number;
  /** Reads that saw a slice at a lower version than an earlier read (never expected). */
  versionRegressions: number;
  /** How long a read of α took (every owner's slice gathered), as the reading workers timed it. */
  latency: { definition: string; medianMs: number; p99Ms: number; maxMs: number };
}

export interface StoreSummary {
  kind: AsyncStoreKind;
  slices: number;
  /** Loss-curve snapshots taken while the workers ran (each a gather of every slice). */
  snapshots: number;
  /** Progress polls or snapshots that failed (skipped). */
  failedPolls: number;
  /** Σ over slices of |final version − the owner's updates|: writes lost (or counted twice). */
  lostWrites: number;
  /** max over slices of |Σ final slice − Σ of its owner's updates| / max(1, Σ|final slice|). */
  maxChecksumGap: number;
}

export interface AsyncResult {
  alpha: Float64Array;
  snapshots: Snapshot[];
  updates: number;
  seconds: number;
  legs: number;
  workers: AsyncWorkerStats[];
  stoppedBy: 'epochs' | 'time' | 'cancelled';
  /** Which step rule ran, and (paper, fixed) each worker's step. */
  stepRule: string;
  steps?: number[];
  staleness: StalenessSummary;
  reads: ReadsSummary;
  store: StoreSummary;
}

/**
 * AsyncEigenPro's checkpoint, taken between two legs: every worker's loop has stopped, so α and
 * the slices' versions are a consistent cut (the only one an asynchronous run has). A resumed run
 * starts its store from this α and goes on counting from these versions.
 */
export interface AsyncState {
  legs: number;
  seconds: number;
  alpha: Float64Array;
  /** Each slice's version at the cut: its owner's updates so far. */
  versions: number[];
  workers: AsyncWorkerStats[];
  failedPolls: number;
  /** The update count at which the next loss-curve snapshot is due. */
  nextMark: number;
}

/** The parameter stores an async run may use: the session's. */
export interface AsyncStores {
  shards?: ShardedParameterStore;
  store?: HeldParameterStore;
}

/**
 * Each worker's fixed step under `paper` (Theorem 1 with its own batch m, β and λ_{q+1}), or the
 * given number; undefined under `staleness-aware`, which the worker computes from the τ it sees.
 */
export function asyncSteps(rule: EigenproStepRule, pre: readonly WorkerPreconditioner[], batches: readonly number[]): number[] | undefined {
  if (rule === 'staleness-aware') return undefined;
  if (typeof rule === 'number') return pre.map(() => rule);
  return pre.map((p, r) => eigenproStep(batches[r]!, p.beta, p.lambdaNext));
}

/** Where the master finds α during a run: created, polled, snapshot, dropped. */
interface AlphaHome {
  /** What the tasks name: every slice's owner (sharded) or none (the master's store). */
  owners: pb.SliceOwner[];
  updates(): Promise<number>;
  snapshot(): Promise<{ alpha: Float64Array; versions: number[]; updates: number }>;
  close(): Promise<void>;
}

async function openHome(kind: AsyncStoreKind, stores: AsyncStores, jobId: string, name: string, starts: number[], hosts: readonly number[], initial?: Float64Array): Promise<AlphaHome> {
  const G = starts.length - 1;
  if (kind === 'sharded') {
    if (!stores.shards) throw new ClusterError('eigenpro-async (store: sharded) needs a cluster whose workers serve slices');
    const vec = await stores.shards.create(
      jobId,
      name,
      hosts.map((worker, r) => ({ start: starts[r]!, end: starts[r + 1]!, worker })),
      initial,
    );
    return {
      owners: vec.owners,
      updates: async () => (await vec.versions()).reduce((a, b) => a + b, 0),
      snapshot: async () => {
        const g = await vec.gather();
        return { alpha: g.values, versions: g.versions, updates: g.updates };
      },
      close: () => vec.drop(),
    };
  }
  const store = stores.store;
  if (!store) throw new ClusterError('eigenpro-async (store: master) needs the master parameter store (run on a cluster started by startMaster)');
  const vec = store.create(name, starts[G]!, G, initial);
  vec.slices.forEach((s, r) => {
    if (s.start !== starts[r] || s.end !== starts[r + 1]) throw new Error(`store slice ${r} [${s.start}, ${s.end}) differs from data slice [${starts[r]}, ${starts[r + 1]})`);
  });
  return {
    owners: [],
    updates: () => Promise.resolve(vec.totalVersion),
    snapshot: () => Promise.resolve({ alpha: vec.values.slice(), versions: vec.slices.map((s) => s.version), updates: vec.totalVersion }),
    close: () => {
      store.delete(name);
      return Promise.resolve();
    },
  };
}

function addLeg(s: AsyncWorkerStats, p: AsyncLegReport): void {
  const before = s.updates;
  const tauBefore = s.tauKnown;
  s.updates += p.updates;
  s.tauKnown += p.tauKnown;
  const w = (x: number, y: number, a: number, b: number): number => (a + b > 0 ? (x * a + y * b) / (a + b) : 0);
  s.tauMean = w(s.tauMean, p.tauMean, tauBefore, p.tauKnown);
  s.meanStep = w(s.meanStep, p.meanStep, before, p.updates);
  s.meanBatchMse = w(s.meanBatchMse, p.meanBatchMse, before, p.updates);
  s.tauMax = Math.max(s.tauMax, p.tauMax);
  s.tauMedian = p.tauMedianRecent;
  s.seconds += p.seconds;
  s.readSeconds += p.readSeconds;
  s.computeSeconds += p.computeSeconds;
  s.injectedDelaySeconds += p.injectedDelaySeconds;
  s.reads += p.reads;
  s.readsClassified += p.readsClassified;
  s.readsMixed += p.readsMixed;
  s.readsOverlapped += p.readsOverlapped;
  s.readsTorn += p.readsTorn;
  s.readsElementMixed += p.readsElementMixed;
  for (let b = 0; b < LATENCY_BINS; b++) s.readLatencyHistogram[b]! += p.readLatencyHistogram[b]!;
  s.versionRegressions += p.versionRegressions;
  s.deltaSum += p.deltaSum;
  s.sliceVersion = p.sliceVersion;
  for (let b = 0; b < TAU_BINS; b++) s.tauHistogram[b]! += p.tauHistogram[b]!;
}

const STALENESS_DEFINITION =
  "τ of an update = writes by the other workers that landed between this read's copy of their slice and this worker's write (owners' write times; sharded) or writes between the master's copy and the write (store: master)";
const READS_DEFINITION =
  'mixed: no single instant of α held every version the read returned (some slice had already been overwritten when another returned slice was written, or some slice came back half written: Definition 4 inconsistent read); overlapped: some slice was overwritten between its copy and the read\'s last copy; torn: some slice was copied by its owner\'s event loop while its compute thread was writing it; elementMixed: some slice came back half written (its elements of two versions)';
const LATENCY_DEFINITION = "one read of α: every other owner's slice over gRPC (from its shared memory, by its event loop) and the own one in-process, timed by the reading worker (its channels to the owners opened before its first read, in the leg's time but no read's); quantiles rounded up to 12 % bins";

function summarize(workers: AsyncWorkerStats[], G: number): { staleness: StalenessSummary; reads: ReadsSummary } {
  const hist = new Array<number>(TAU_BINS).fill(0);
  for (const w of workers) w.tauHistogram.forEach((c, t) => (hist[t]! += c));
  const known = hist.reduce((a, b) => a + b, 0);
  const histogram: Record<string, number> = {};
  hist.forEach((c, t) => c > 0 && (histogram[String(t)] = c));
  const sum = (f: (w: AsyncWorkerStats) => number): number => workers.reduce((s, w) => s + f(w), 0);
  const classified = sum((w) => w.readsClassified);
  const latency = new Array<number>(LATENCY_BINS).fill(0);
  for (const w of workers) w.readLatencyHistogram.forEach((c, b) => (latency[b]! += c));
  return {
    staleness: {
      definition: STALENESS_DEFINITION,
      expected: G - 1,
      updatesWithTau: known,
      meanTau: known ? sum((w) => w.tauMean * w.tauKnown) / known : 0,
      maxTau: Math.max(0, ...workers.map((w) => w.tauMax)),
      quantiles: { p10: histogramQuantile(hist, 0.1), p50: histogramQuantile(hist, 0.5), p90: histogramQuantile(hist, 0.9), p99: histogramQuantile(hist, 0.99) },
      histogram,
    },
    reads: {
      definition: READS_DEFINITION,
      total: sum((w) => w.reads),
      classified,
      mixed: sum((w) => w.readsMixed),
      overlapped: sum((w) => w.readsOverlapped),
      mixedFraction: classified ? sum((w) => w.readsMixed) / classified : 0,
      overlappedFraction: classified ? sum((w) => w.readsOverlapped) / classified : 0,
      torn: sum((w) => w.readsTorn),
      elementMixed: sum((w) => w.readsElementMixed),
      versionRegressions: sum((w) => w.versionRegressions),
      latency: { definition: LATENCY_DEFINITION, medianMs: latencyQuantileMs(latency, 0.5), p99Ms: latencyQuantileMs(latency, 0.99), maxMs: latencyQuantileMs(latency, 1) },
    },
  };
}

/**
 * The master asks the store how far the workers are (the sum of the slices' versions) at most
 * every POLL_MIN_MS and at least every POLL_MAX_MS: in between it waits half the time the recent
 * update rate says the next snapshot mark is away, so a mark is seen within a few ms of being
 * passed without polling the owners hundreds of times a second.
 */
const POLL_MIN_MS = 2;
const POLL_MAX_MS = 100;
/** A leg's task is given up this long after the leg should have ended (a worker that hangs). */
const LEG_DEADLINE_MARGIN_SECONDS = 30;

/** What driveAsyncEigenpro is given. */
export interface AsyncEigenproOptions {
  name: string;
  n: number;
  starts: number[];
  batch: number;
  step: EigenproStepRule;
  /** The workers' preconditioners (setupPreconditioners), for the paper's step. */
  pre: readonly WorkerPreconditioner[];
  epochs: number;
  timeLimit: number;
  evalsPerEpoch: number;
  seed: number;
  store?: AsyncStoreKind;
  legSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (epochs: number, seconds: number) => void;
  /** Go on from a checkpoint (its state and the loss-curve snapshots before it). */
  resume?: { state: AsyncState; history: Snapshot[] };
  /**
   * Offered the state after every leg (a job's checkpointer saves it when due). Legs then last
   * at most `everySeconds` (at least 1 s): a leg's end is the only consistent cut, so it is what
   * bounds the work a restart redoes.
   */
  checkpoint?: { everySeconds: number; offer(leg: number, state: () => AsyncState, history: readonly Snapshot[]): void };
}

/**
 * AsyncEigenPro (Algorithm 1) driven from the master. With the sharded store (the default) slice
 * r of α lives on worker r, which owns data slice D_r: the master creates the slices, each worker
 * runs its own read → step → write loop (worker/async-loop.ts) reading every other owner's slice
 * with no lock and no barrier, and the master only polls the slices' versions, gathers a snapshot
 * each time the updates pass the next mark (the loss curve, evaluated after the run) and gathers
 * the final α. With `store: master` α lives in the master's store instead (the centralized
 * baseline). The run ends when the updates reach the epochs budget.
 *
 * The loop runs as one long task per worker, for the whole run: nothing stops the workers together
 * until the run ends. A checkpoint is the exception: an asynchronous run's only consistent cut is
 * when every loop has stopped, so with `checkpoint` the run goes in legs of at most `everySeconds`
 * (a barrier each: the slowest worker finishes its iteration, delay included; α is gathered; the
 * next leg starts), each resuming from the store. `legSeconds` caps a leg too (tests).
 *
 * Its steps: open α's home (from a checkpoint's cut when resuming), start the snapshot poller,
 * run legs until the budget, gather the final α, check that no write was lost, summarize.
 */
export async function driveAsyncEigenpro(cluster: ComputeCluster & AsyncStores, placed: PlacedPlan, o: AsyncEigenproOptions): Promise<AsyncResult> {
  const G = o.starts.length - 1;
  const kind = o.store ?? 'sharded';
  const from = o.resume?.state;
  if (from && (from.alpha.length !== o.n || from.versions.length !== G || from.workers.length !== G)) {
    throw new ClusterError(`eigenpro-async: the checkpoint holds α of ${from.alpha.length} and ${from.versions.length} slices; this run has ${o.n} and ${G}`);
  }
  // A resumed store starts at version 0 holding the checkpoint's α: the versions before the cut
  // are added back, so counts, marks and the no-lost-write check span the whole run.
  const base = from ? from.versions.slice() : new Array<number>(G).fill(0);
  const home = countingFrom(base, await openHome(kind, cluster, placed.jobId, o.name, o.starts, placed.hosts, from?.alpha));
  const updatesPerEpoch = o.n / o.batch;
  const steps = asyncSteps(o.step, o.pre, o.starts.slice(1).map((e, r) => Math.min(o.batch, e - o.starts[r]!)));
  const maxTotal = Math.ceil(o.epochs * updatesPerEpoch);
  const evalEvery = Math.max(1, Math.round(updatesPerEpoch / o.evalsPerEpoch));
  const snapshots: Snapshot[] = o.resume ? [...o.resume.history] : [{ seconds: 0, epochs: 0, updates: 0, alpha: new Float64Array(o.n) }];
  const stats = from ? from.workers.map(copyStats) : placed.hosts.slice(0, G).map(emptyStats);
  // A resumed run's clock goes on from the checkpoint's seconds.
  const t0 = performance.now() - (from?.seconds ?? 0) * 1000;
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const poller = new SnapshotPoller(home, { nextMark: from?.nextMark ?? evalEvery, evalEvery, updatesPerEpoch, failedPolls: from?.failedPolls ?? 0, elapsed, snapshots, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  let legs = from?.legs ?? 0;
  // No barrier unless a checkpoint needs one: without, one leg runs until the epochs or the time
  // limit (the round's deadline is the leg's, not the cluster's task deadline).
  const legCap = Math.min(o.legSeconds ?? Infinity, o.checkpoint ? Math.max(1, o.checkpoint.everySeconds) : Infinity);
  let stoppedBy: AsyncResult['stoppedBy'] = 'epochs';
  let final: { alpha: Float64Array; versions: number[]; updates: number };
  try {
    try {
      while ((await home.updates()) < maxTotal) {
        const now = elapsed();
        if (o.signal?.aborted) {
          stoppedBy = 'cancelled';
          break;
        }
        if (now >= o.timeLimit) {
          stoppedBy = 'time';
          break;
        }
        legs++;
        await runLeg(cluster, placed, home, stats, base, { ...o, G, legs, seconds: Math.min(legCap, o.timeLimit - now), steps, maxTotal: maxTotal - base.reduce((a, b) => a + b, 0) });
        if (o.checkpoint) {
          // Every loop of the leg has stopped: this gather is a consistent cut.
          const cut = await home.snapshot();
          const state: AsyncState = { legs, seconds: elapsed(), alpha: cut.alpha, versions: cut.versions, workers: stats.map(copyStats), failedPolls: poller.failedPolls, nextMark: poller.nextMark };
          o.checkpoint.offer(legs, () => state, snapshots);
        }
      }
    } finally {
      await poller.stop();
    }
    // Every loop has stopped: this gather is exact.
    final = await home.snapshot();
  } finally {
    await home.close();
  }
  const seconds = elapsed();
  if (snapshots[snapshots.length - 1]!.updates !== final.updates) snapshots.push({ seconds, epochs: final.updates / updatesPerEpoch, updates: final.updates, alpha: final.alpha.slice() });
  const { lostWrites, maxChecksumGap } = lostWriteCheck(stats, final, o.starts);
  const { staleness, reads } = summarize(stats, G);
  return {
    alpha: final.alpha,
    snapshots,
    updates: final.updates,
    seconds,
    legs,
    workers: stats,
    stoppedBy,
    stepRule: STEP_RULES[typeof o.step === 'number' ? 'fixed' : o.step],
    ...(steps ? { steps } : {}),
    staleness,
    reads,
    store: { kind, slices: G, snapshots: snapshots.length - 1, failedPolls: poller.failedPolls, lostWrites, maxChecksumGap },
  };
}

/** What result.json says of each step rule. */
const STEP_RULES: Record<'staleness-aware' | 'paper' | 'fixed', string> = {
  'staleness-aware': "staleness-aware (Coda's rule): m/(β + λ_{q+1}((τ̂+1)m − 1)), τ̂ = max(G−1, median of the last 32 observed τ)",
  paper: "paper (Theorem 1): m/(β + λ_{q+1}(m − 1)) per worker, whatever the staleness τ",
  fixed: 'fixed',
};

/** A home whose slices count on from `base` (the versions at a checkpoint's cut; zeros on a fresh run). */
function countingFrom(base: readonly number[], store: AlphaHome): AlphaHome {
  const baseTotal = base.reduce((a, b) => a + b, 0);
  return {
    owners: store.owners,
    updates: async () => baseTotal + (await store.updates()),
    snapshot: async () => {
      const s = await store.snapshot();
      return { alpha: s.alpha, versions: s.versions.map((v, r) => v + base[r]!), updates: s.updates + baseTotal };
    },
    close: () => store.close(),
  };
}

/** A copy of a worker's numbers (its histograms too), for a checkpoint. */
function copyStats(w: AsyncWorkerStats): AsyncWorkerStats {
  return { ...w, tauHistogram: [...w.tauHistogram], readLatencyHistogram: [...w.readLatencyHistogram] };
}

/** A worker's numbers before its first leg. */
function emptyStats(worker: number): AsyncWorkerStats {
  const { tauMedianRecent, ...zero } = decodeAsyncReport(new Float64Array(ASYNC_REPORT_LENGTH));
  return { ...zero, worker, tauMedian: tauMedianRecent };
}

/**
 * One leg: every worker runs its loop for at most `seconds` (one long task each, the store's
 * owners named; given up LEG_DEADLINE_MARGIN_SECONDS after the leg should have ended), and its
 * report is added to its numbers.
 */
async function runLeg(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  home: AlphaHome,
  stats: AsyncWorkerStats[],
  base: readonly number[],
  leg: { name: string; batch: number; seed: number; G: number; legs: number; seconds: number; steps: number[] | undefined; maxTotal: number },
): Promise<void> {
  const { G } = leg;
  const out = await cluster.round(
    placed,
    (slot) => ({
      kind: 'message',
      name: 'eigenproAsync',
      fields: {
        eigenproAsync: {
          parameter: leg.name,
          owner: slot,
          batchSize: leg.batch,
          // 0 asks the worker for the staleness-aware step.
          step: leg.steps ? leg.steps[slot]! : 0,
          expectedStaleness: G - 1,
          // The workers count the updates in the store, which a resumed run started afresh.
          maxTotalUpdates: String(leg.maxTotal),
          timeLimitSeconds: leg.seconds,
          seed: String(leg.seed * 1_000_003 + leg.legs * G + slot),
          owners: home.owners,
        },
      },
    }),
    // The leg's own deadline, not the cluster's task deadline: a leg may run the whole job.
    { deadlineSeconds: leg.seconds + LEG_DEADLINE_MARGIN_SECONDS },
  );
  splitGathered(out.decoded.value, new Array<number>(G).fill(ASYNC_REPORT_LENGTH)).forEach((p, r) => {
    addLeg(stats[r]!, decodeAsyncReport(p));
    stats[r]!.sliceVersion += base[r]!;
  });
}

/**
 * Polls the versions; when the updates pass the next mark, gathers α (a loss-curve snapshot). One
 * poll at a time, so a slow owner delays the next poll instead of piling them up.
 */
class SnapshotPoller {
  nextMark: number;
  failedPolls: number;
  private polling = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly home: AlphaHome,
    private readonly o: {
      nextMark: number;
      evalEvery: number;
      updatesPerEpoch: number;
      failedPolls: number;
      elapsed: () => number;
      snapshots: Snapshot[];
      onProgress?: (epochs: number, seconds: number) => void;
    },
  ) {
    this.nextMark = o.nextMark;
    this.failedPolls = o.failedPolls;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    let wait = POLL_MIN_MS;
    let last: { updates: number; ms: number } | undefined;
    while (this.polling) {
      await new Promise((r) => setTimeout(r, wait));
      if (!this.polling) break;
      try {
        const updates = await this.home.updates();
        const ms = performance.now();
        const rate = last && ms > last.ms ? (updates - last.updates) / (ms - last.ms) : 0;
        last = { updates, ms };
        wait = rate > 0 ? Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, (0.5 * (this.nextMark - updates)) / rate)) : 10 * POLL_MIN_MS;
        if (updates < this.nextMark) continue;
        const s = await this.home.snapshot();
        const seconds = this.o.elapsed();
        this.o.snapshots.push({ seconds, epochs: s.updates / this.o.updatesPerEpoch, updates: s.updates, alpha: s.alpha });
        this.o.onProgress?.(s.updates / this.o.updatesPerEpoch, seconds);
        while (this.nextMark <= s.updates) this.nextMark += this.o.evalEvery;
      } catch {
        // A worker busy past the deadline or lost: the leg's round reports the loss.
        this.failedPolls++;
      }
    }
  }
}

/**
 * No write lost: each slice's final version is its owner's number of updates, and its values add
 * up to the sum of the owner's changes (α starts at 0).
 */
function lostWriteCheck(stats: readonly AsyncWorkerStats[], final: { alpha: Float64Array; versions: number[] }, starts: readonly number[]): { lostWrites: number; maxChecksumGap: number } {
  let lostWrites = 0;
  let maxChecksumGap = 0;
  stats.forEach((w, r) => {
    lostWrites += Math.abs(final.versions[r]! - w.updates);
    let sum = 0;
    let abs = 0;
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      sum += final.alpha[i]!;
      abs += Math.abs(final.alpha[i]!);
    }
    maxChecksumGap = Math.max(maxChecksumGap, Math.abs(sum - w.deltaSum) / Math.max(1, abs));
  });
  return { lostWrites, maxChecksumGap };
}
