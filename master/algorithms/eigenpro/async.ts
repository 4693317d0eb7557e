import { performance } from 'node:perf_hooks';
import type { ComputeCluster, PlacedPlan } from '../../cluster/types';
import type { ParameterStore } from '../../store';
import type { Snapshot } from './evaluate';
import { eigenproStep } from '../../../shared/kernels';
import { splitGathered } from './plan';
import type { EigenproStepRule, WorkerPreconditioner } from './setup';

/** Per-worker numbers the async loop reports (worker/async-loop.ts's answer layout). */
export interface AsyncWorkerStats {
  worker: number;
  updates: number;
  tauMean: number;
  tauMax: number;
  tauMedian: number;
  meanStep: number;
  seconds: number;
  meanBatchMse: number;
  injectedDelaySeconds: number;
  /** Writes whose τ fell in [2^b − 1, 2^{b+1} − 1), b = 0..15. */
  tauHistogram: number[];
}

const HEAD = 8;
const BINS = 16;

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

/**
 * AsyncEigenPro (Algorithm 1) driven from the master: α lives in the master's parameter store,
 * one slice per worker (slice r = worker r's data slice D_r). Each worker runs its own
 * read → step → write loop (worker/async-loop.ts) with no barrier; the master only watches the
 * store's version counter, copies α at fixed update counts (the loss curve, evaluated after the
 * run), and ends the job when the total number of updates reaches the epochs budget.
 *
 * The loop runs as one long task per worker, in legs of at most `legSeconds` so no task outlives
 * the cluster's task deadline; a new leg resumes from the store.
 */
export async function runAsyncEigenpro(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  store: ParameterStore,
  o: {
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
    legSeconds?: number;
    signal?: AbortSignal;
    onProgress?: (epochs: number, seconds: number) => void;
  },
): Promise<AsyncResult> {
  const G = o.starts.length - 1;
  const vec = store.create(o.name, o.n, G);
  vec.slices.forEach((s, r) => {
    if (s.start !== o.starts[r] || s.end !== o.starts[r + 1]) throw new Error(`store slice ${r} [${s.start}, ${s.end}) differs from data slice [${o.starts[r]}, ${o.starts[r + 1]})`);
  });
  const updatesPerEpoch = o.n / o.batch;
  const steps = asyncSteps(o.step, o.pre, o.starts.slice(1).map((e, r) => Math.min(o.batch, e - o.starts[r]!)));
  const stepRule =
    o.step === 'staleness-aware'
      ? "staleness-aware (Coda's rule): m/(β + λ_{q+1}((τ̂+1)m − 1)), τ̂ = max(G−1, median of the last 32 observed τ)"
      : o.step === 'paper'
        ? "paper (Theorem 1): m/(β + λ_{q+1}(m − 1)) per worker, whatever the staleness τ"
        : 'fixed';
  const maxTotal = Math.ceil(o.epochs * updatesPerEpoch);
  const evalEvery = Math.max(1, Math.round(updatesPerEpoch / o.evalsPerEpoch));
  const snapshots: Snapshot[] = [{ seconds: 0, epochs: 0, updates: 0, alpha: vec.values.slice() }];
  const stats: AsyncWorkerStats[] = Array.from({ length: G }, (_, r) => ({
    worker: placed.hosts[r]!,
    updates: 0,
    tauMean: 0,
    tauMax: 0,
    tauMedian: 0,
    meanStep: 0,
    seconds: 0,
    meanBatchMse: 0,
    injectedDelaySeconds: 0,
    tauHistogram: new Array<number>(BINS).fill(0),
  }));
  const t0 = performance.now();
  let nextMark = evalEvery;
  // Copies α whenever the global version passes the next mark (a copy of n floats: microseconds).
  const watch = setInterval(() => {
    const v = vec.totalVersion;
    if (v < nextMark) return;
    const seconds = (performance.now() - t0) / 1000;
    snapshots.push({ seconds, epochs: v / updatesPerEpoch, updates: v, alpha: vec.values.slice() });
    o.onProgress?.(v / updatesPerEpoch, seconds);
    while (nextMark <= v) nextMark += evalEvery;
  }, 2);
  let legs = 0;
  let stoppedBy: AsyncResult['stoppedBy'] = 'epochs';
  try {
    while (vec.totalVersion < maxTotal) {
      const elapsed = (performance.now() - t0) / 1000;
      if (o.signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      if (elapsed >= o.timeLimit) {
        stoppedBy = 'time';
        break;
      }
      legs++;
      const leg = Math.min(o.legSeconds ?? 60, o.timeLimit - elapsed);
      const out = await cluster.round(placed, (slot) => ({
        kind: 'message',
        name: 'eigenproAsync',
        fields: {
          eigenproAsync: {
            parameter: o.name,
            owner: slot,
            batchSize: o.batch,
            // 0 asks the worker for the staleness-aware step.
            step: steps ? steps[slot]! : 0,
            expectedStaleness: G - 1,
            maxTotalUpdates: String(maxTotal),
            timeLimitSeconds: leg,
            seed: String(o.seed * 1_000_003 + legs * G + slot),
          },
        },
      }));
      splitGathered(out.decoded.value, new Array<number>(G).fill(HEAD + BINS)).forEach((p, r) => {
        const s = stats[r]!;
        const u = p[0]!;
        const before = s.updates;
        s.updates += u;
        const w = (x: number, y: number): number => (s.updates > 0 ? (x * before + y * u) / s.updates : 0);
        s.tauMean = w(s.tauMean, p[1]!);
        s.tauMax = Math.max(s.tauMax, p[2]!);
        s.tauMedian = p[3]!;
        s.meanStep = w(s.meanStep, p[4]!);
        s.seconds += p[5]!;
        s.meanBatchMse = w(s.meanBatchMse, p[6]!);
        s.injectedDelaySeconds += p[7]!;
        for (let b = 0; b < BINS; b++) s.tauHistogram[b]! += p[HEAD + b]!;
      });
    }
  } finally {
    clearInterval(watch);
  }
  const seconds = (performance.now() - t0) / 1000;
  const alpha = vec.values.slice();
  const total = vec.totalVersion;
  if (snapshots[snapshots.length - 1]!.updates !== total) snapshots.push({ seconds, epochs: total / updatesPerEpoch, updates: total, alpha: alpha.slice() });
  store.delete(o.name);
  return { alpha, snapshots, updates: total, seconds, legs, workers: stats, stoppedBy, stepRule, ...(steps ? { steps } : {}) };
}
