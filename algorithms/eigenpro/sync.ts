import { performance } from 'node:perf_hooks';
import { eigenproStep } from '../../shared/kernels';
import { vectorToTensor } from '../../shared/wire';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import type { Snapshot } from './evaluate';
import { splitGathered } from './plan';
import type { EigenproStepRule, WorkerPreconditioner } from './setup';

export interface SyncResult {
  alpha: Float64Array;
  snapshots: Snapshot[];
  rounds: number;
  seconds: number;
  step: number;
  stepRule: string;
  /** Seconds the rounds waited for their slowest worker beyond the median one (straggling). */
  waitSeconds: number;
  stoppedBy: 'epochs' | 'time' | 'cancelled';
}

/**
 * What the synchronous loop needs to go on after `rounds` rounds as if it had not stopped: α, the
 * clock and the straggling total (each round's batches are seeded by the round, so nothing random
 * is kept). The snapshots before it travel as the history.
 */
export interface SyncState {
  rounds: number;
  alpha: Float64Array;
  seconds: number;
  waitSeconds: number;
}

/**
 * Synchronous EigenPro over G workers (section 2.2): each round the master sends α to every
 * worker, each steps on m points of its own slice with its own preconditioner, and the master
 * waits for all G answers before adding their slice changes. The step is the paper's bound for
 * the round's batch of G·m points (the gradient is scaled by 1/(G·m)), with the largest
 * λ_{q+1} among the workers' estimates.
 */
export async function runSyncEigenpro(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  o: {
    n: number;
    starts: number[];
    pre: WorkerPreconditioner[];
    batch: number;
    step: EigenproStepRule;
    epochs: number;
    timeLimit: number;
    evalsPerEpoch: number;
    seed: number;
    signal?: AbortSignal;
    onRound?: (epochs: number, seconds: number) => void;
    /** Go on from a checkpoint (its state and the snapshots before it). */
    resume?: { state: SyncState; history: Snapshot[] };
    /** Offered the state after every round: a job's checkpointer saves it when due. */
    checkpoint?: (round: number, state: () => SyncState, history: readonly Snapshot[]) => void;
  },
): Promise<SyncResult> {
  const G = o.pre.length;
  const lens = o.starts.slice(1).map((e, r) => e - o.starts[r]!);
  const batches = lens.map((l) => Math.min(o.batch, l));
  const total = batches.reduce((a, b) => a + b, 0);
  const lam = Math.max(...o.pre.map((p) => p.lambdaNext));
  const beta = Math.max(...o.pre.map((p) => p.beta));
  // Synchronous rounds have no staleness (τ = 0): both rules are the paper's step for the round's batch.
  const step = typeof o.step === 'number' ? o.step : eigenproStep(total, beta, lam);
  const stepRule =
    typeof o.step === 'number'
      ? 'fixed'
      : `${o.step} (τ = 0, the paper's Theorem 1): m/(β + λ_{q+1}(m−1)) with m = ${total} (${G} workers × ${o.batch}), β = ${beta}, λ_{q+1} = ${lam.toExponential(3)}`;
  const from = o.resume?.state;
  const alpha = from ? Float64Array.from(from.alpha) : new Float64Array(o.n);
  const snapshots: Snapshot[] = o.resume ? [...o.resume.history] : [{ seconds: 0, epochs: 0, updates: 0, alpha: alpha.slice() }];
  const rounds = Math.ceil((o.epochs * o.n) / total);
  const evalEvery = Math.max(1, Math.round(o.n / o.evalsPerEpoch / total));
  // A resumed run's clock goes on from the checkpoint's seconds.
  const t0 = performance.now() - (from?.seconds ?? 0) * 1000;
  let waitSeconds = from?.waitSeconds ?? 0;
  let stoppedBy: SyncResult['stoppedBy'] = 'epochs';
  let r = from?.rounds ?? 0;
  for (; r < rounds; r++) {
    if (o.signal?.aborted) {
      stoppedBy = 'cancelled';
      break;
    }
    if ((performance.now() - t0) / 1000 > o.timeLimit) {
      stoppedBy = 'time';
      break;
    }
    const a = vectorToTensor(alpha);
    const out = await cluster.round(placed, (slot) => ({
      kind: 'message',
      name: 'eigenproStep',
      fields: { eigenproStep: { alpha: a, batchSize: o.batch, step, gradientScale: 1 / total, seed: String(o.seed * 1_000_003 + r * G + slot) } },
    }));
    const arr = out.arrivals.map((x) => x.seconds).sort((x, y) => x - y);
    if (arr.length > 0) waitSeconds += arr[arr.length - 1]! - arr[Math.floor((arr.length - 1) / 2)]!;
    const parts = splitGathered(out.decoded.value, lens.map((l) => l + 1));
    parts.forEach((p, s) => {
      const start = o.starts[s]!;
      for (let i = 0; i < lens[s]!; i++) alpha[start + i]! += p[i]!;
    });
    const seconds = (performance.now() - t0) / 1000;
    const epochs = ((r + 1) * total) / o.n;
    o.onRound?.(epochs, seconds);
    if ((r + 1) % evalEvery === 0 || r + 1 === rounds) snapshots.push({ seconds, epochs, updates: r + 1, alpha: alpha.slice() });
    const done = r + 1;
    o.checkpoint?.(done, () => ({ rounds: done, alpha: alpha.slice(), seconds: (performance.now() - t0) / 1000, waitSeconds }), snapshots);
  }
  return { alpha, snapshots, rounds: r, seconds: (performance.now() - t0) / 1000, step, stepRule, waitSeconds, stoppedBy };
}
