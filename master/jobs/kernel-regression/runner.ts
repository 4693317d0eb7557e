import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { KernelRegressionJobSpec } from './schema';
import { ClusterError, ShapeError } from '../../../shared/errors';
import { checkKernel, type KernelFn } from '../../../shared/kernels';
import type { AsyncLinalg } from '../../../shared/linalg';
import { LATENCY_BINS } from '../../../shared/store';
import { loadMatrix, loadVector, type Matrix } from '../../../shared/tensor';
import {
  CurveEvaluator,
  DIRECT_LIMIT,
  directKernelSolve,
  everyCenterEverywherePlan,
  generateKernelData,
  driveAsyncEigenpro,
  runSyncEigenpro,
  setupPreconditioners,
  sliceStarts,
  splitTrainTest,
  timeToError,
  type AsyncState,
  type AsyncWorkerStats,
  type CurvePoint,
  type KernelProblem,
  type Snapshot,
  type SyncState,
} from '../../../algorithms/eigenpro';
import type { PlacedPlan } from '../../../algorithms/compute-cluster';
import type { JobContext } from '../types';
import { skippedDiagnostic, tryDiagnostic, type Diagnostic } from '../diagnostic';
import { eigenproReference } from '../../../core/runtime';
import type { KernelModelFile } from './model';

/**
 * Synchronous EigenPro's checkpoint: α after a round. AsyncEigenPro's: α, the slices' versions
 * and the workers' running statistics at the end of a leg, when every worker's loop has stopped
 * (async.ts, AsyncState); its legs then last at most the checkpoint interval.
 */
const syncState: z.ZodType<SyncState, z.ZodTypeDef, unknown> = z.object({ rounds: z.number().int().nonnegative(), alpha: z.instanceof(Float64Array), seconds: z.number(), waitSeconds: z.number() });
const count = z.number().int().nonnegative();
const asyncWorker: z.ZodType<AsyncWorkerStats, z.ZodTypeDef, unknown> = z.object({
  worker: count,
  updates: count,
  tauMean: z.number(),
  tauMax: z.number(),
  tauMedian: z.number(),
  meanStep: z.number(),
  seconds: z.number(),
  readSeconds: z.number(),
  computeSeconds: z.number(),
  meanBatchMse: z.number(),
  injectedDelaySeconds: z.number(),
  reads: count,
  readsClassified: count,
  readsMixed: count,
  readsOverlapped: count,
  // Counted since the compute threads (checkpoints taken before them lack them).
  readsTorn: count.default(0),
  readsElementMixed: count.default(0),
  versionRegressions: count,
  tauKnown: count,
  deltaSum: z.number(),
  sliceVersion: count,
  tauHistogram: z.array(count),
  readLatencyHistogram: z.array(count).length(LATENCY_BINS).default(() => new Array<number>(LATENCY_BINS).fill(0)),
});
const asyncState: z.ZodType<AsyncState, z.ZodTypeDef, unknown> = z.object({
  legs: count,
  seconds: z.number(),
  alpha: z.instanceof(Float64Array),
  versions: z.array(count),
  workers: z.array(asyncWorker),
  failedPolls: count,
  nextMark: z.number(),
});

function loadProblem(job: KernelRegressionJobSpec): { problem: KernelProblem; source: Record<string, unknown> } {
  const d = job.data;
  if (d.synthetic) {
    const { X, y } = generateKernelData(d.synthetic.kind, d.synthetic.rows, d.synthetic.cols, d.synthetic.noise, d.synthetic.seed);
    return { problem: splitTrainTest(X, y, d.testFraction, job.seed), source: { synthetic: d.synthetic, testFraction: d.testFraction } };
  }
  const X = loadMatrix(d.X!);
  const y = loadVector(d.y!);
  if (y.length !== X.rows) throw new ShapeError(`data: X has ${X.rows} rows but y has ${y.length} values`);
  if (d.Xtest && d.ytest) {
    const Xtest = loadMatrix(d.Xtest);
    const ytest = loadVector(d.ytest);
    if (Xtest.cols !== X.cols) throw new ShapeError(`data: Xtest has ${Xtest.cols} columns, X has ${X.cols}`);
    if (ytest.length !== Xtest.rows) throw new ShapeError(`data: Xtest has ${Xtest.rows} rows but ytest has ${ytest.length} values`);
    // Shuffle the training rows so each worker's contiguous slice is a random part (section 3).
    const p = splitTrainTest(X, y, 0, job.seed);
    const binary = p.binary && ytest.every((v) => v === 1 || v === -1);
    return { problem: { ...p, Xtest, ytest, binary }, source: { X: d.X, y: d.y, Xtest: d.Xtest, ytest: d.ytest } };
  }
  return { problem: splitTrainTest(X, y, d.testFraction, job.seed), source: { X: d.X, y: d.y, testFraction: d.testFraction } };
}

/**
 * kernel-regression: data -> every center on every worker -> preconditioners -> EigenPro (sync
 * or async) -> α, centers, model.json. Its steps: place the centers, solve (preconditioners, then
 * the solver, resumed from a checkpoint when there is one), evaluate the α snapshots, compare with
 * the direct solution, report.
 */
export async function runKernelRegression(job: KernelRegressionJobSpec, ctx: JobContext) {
  const kernel = checkKernel(job.kernel);
  const { problem, source } = loadProblem(job);
  const X: Matrix = problem.Xtrain;
  const n = X.rows;
  const live = ctx.cluster.liveWorkers();
  const G = live.length;
  if (G === 0) throw new ClusterError('no live workers');
  if (n < 2 * G) throw new ShapeError(`kernel-regression: ${n} training points cannot be split among ${G} workers`);
  const starts = sliceStarts(n, G);
  const jobId = `${ctx.cluster.id}-kr`;
  const placement = await placeCenters(ctx, job, jobId, problem, starts, live);
  let solved: Solved;
  try {
    solved = await solve(ctx, job, kernel, placement.placed, jobId, starts);
  } finally {
    await ctx.cluster.release(placement.placed);
  }
  const res = solved.sync ?? solved.async!;
  const la = await ctx.cluster.linalg();
  const { curve, evalSeconds, evaluator } = await evaluateSnapshots(la, job, kernel, problem, res.snapshots);
  const direct = await directReference(la, kernel, problem, res.alpha, ctx.log);
  return kernelRegressionOutput(job, kernel, problem, source, live, placement, solved, { curve, evalSeconds, evalPoints: evaluator.evalPoints }, direct);
}

/**
 * Every worker stores all n centers (placed once), but each step touches only its own batch: equal
 * work, 1 (by operations, one step of the job's batch against the n centers is the reference task).
 */
async function placeCenters(ctx: JobContext, job: KernelRegressionJobSpec, jobId: string, problem: KernelProblem, starts: number[], live: number[]): Promise<{ placed: PlacedPlan; seconds: number }> {
  const X = problem.Xtrain;
  const t0 = performance.now();
  await ctx.cluster.setChaos(job.chaos);
  const placed = await ctx.cluster.place(jobId, everyCenterEverywherePlan(live.length), { A: X, b: problem.ytrain, blockStarts: starts }, { workers: live, work: () => 1, referenceFlops: eigenproReference(job.eigenpro.batch, X.rows, X.cols) });
  const seconds = (performance.now() - t0) / 1000;
  ctx.log.info({ jobId, workers: live.length, n: X.rows, d: X.cols, bytes: placed.bytesPlaced, placeSeconds: seconds }, 'centers placed on every worker');
  return { placed, seconds };
}

interface Solved {
  setup: Awaited<ReturnType<typeof setupPreconditioners>>;
  sync?: Awaited<ReturnType<typeof runSyncEigenpro>>;
  async?: Awaited<ReturnType<typeof driveAsyncEigenpro>>;
}

/**
 * The preconditioners (built without injected delay: the comparison is about the iterations),
 * then the solver under the job's chaos, from the job's checkpoint when a restarted master has one.
 */
async function solve(ctx: JobContext, job: KernelRegressionJobSpec, kernel: KernelFn, placed: PlacedPlan, jobId: string, starts: number[]): Promise<Solved> {
  const { cluster, log } = ctx;
  const e = job.eigenpro;
  const n = starts[starts.length - 1]!;
  const G = starts.length - 1;
  // One checkpoint per job: its state is the solver's (version 2 marks the asynchronous one).
  const ck = job.solver === 'eigenpro-sync' ? ctx.checkpoint?.open<SyncState, Snapshot>({ version: 1, state: syncState }) : undefined;
  const ckAsync = job.solver !== 'eigenpro-sync' ? ctx.checkpoint?.open<AsyncState, Snapshot>({ version: 2, state: asyncState }) : undefined;
  await cluster.setChaos('none');
  const setup = await setupPreconditioners(cluster, placed, { kernel, nystrom: e.nystrom, q: e.q, seed: job.seed, sliceLengths: starts.slice(1).map((end, r) => end - starts[r]!) });
  await cluster.setChaos(job.chaos);
  const common = {
    n,
    starts,
    batch: e.batch,
    step: e.step,
    epochs: e.epochs,
    timeLimit: job.stop.timeLimit,
    evalsPerEpoch: e.evalsPerEpoch,
    seed: job.seed,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const progress = (epochs: number, seconds: number): void =>
    ctx.onProgress?.({ round: Math.round(epochs * 100), maxRounds: Math.round(e.epochs * 100), seconds, residual: epochs, stragglers: 0 });
  if (job.solver === 'eigenpro-sync') {
    const sync = await runSyncEigenpro(cluster, placed, {
      ...common,
      pre: setup.workers,
      onRound: progress,
      ...(ck?.restored ? { resume: ck.restored } : {}),
      ...(ck ? { checkpoint: (r: number, state: () => SyncState, history: readonly Snapshot[]) => ck.offer(r, state, history) } : {}),
    });
    return { setup, sync };
  }
  // An asynchronous checkpoint is per slice: on a cluster of another size it does not fit, and
  // the run starts over (a synchronous one keeps only α, which fits any size).
  const saved = ckAsync?.restored;
  const asyncResume = saved && saved.state.versions.length === G && saved.state.alpha.length === n ? saved : undefined;
  if (saved && !asyncResume) log.warn({ slices: saved.state.versions.length, workers: G }, 'the AsyncEigenPro checkpoint was taken on another number of workers; the run starts over');
  const async = await driveAsyncEigenpro(cluster, placed, {
    ...common,
    pre: setup.workers,
    store: e.store,
    name: `${jobId}/alpha`,
    onProgress: progress,
    ...(asyncResume ? { resume: asyncResume } : {}),
    ...(ckAsync ? { checkpoint: ckAsync } : {}),
  });
  return { setup, async };
}

/** The loss curve from the α snapshots, evaluated after the run on the master's linear-algebra thread (never on its loop). */
async function evaluateSnapshots(la: AsyncLinalg, job: KernelRegressionJobSpec, kernel: KernelFn, problem: KernelProblem, snapshots: readonly Snapshot[]): Promise<{ curve: CurvePoint[]; evalSeconds: number; evaluator: CurveEvaluator }> {
  const t0 = performance.now();
  const evaluator = new CurveEvaluator(kernel, problem.Xtrain, problem.ytrain, problem.Xtest, problem.ytest, problem.binary, job.eigenpro.evalPoints, job.seed + 17);
  const curve: CurvePoint[] = await evaluator.points(la, snapshots);
  return { curve, evalSeconds: (performance.now() - t0) / 1000, evaluator };
}

/**
 * A diagnostic: the test predictions' relative difference from the interpolating solution K α* = y
 * (the kernel matrix and its solve on the thread; capped by DIRECT_LIMIT). Duplicate training
 * points make K singular (no α* to compare with): null with the reason, the model kept.
 */
async function directReference(la: AsyncLinalg, kernel: KernelFn, problem: KernelProblem, alpha: Float64Array, log: JobContext['log']): Promise<Diagnostic<{ testPredictionRelDiff: number }>> {
  const X = problem.Xtrain;
  const n = X.rows;
  if (n > DIRECT_LIMIT) return skippedDiagnostic(`n = ${n} is above ${DIRECT_LIMIT}, the largest the master solves directly for a reference`);
  return tryDiagnostic(
    'kernel-regression direct reference',
    async () => {
      const aStar = await directKernelSolve(la, kernel, X, problem.ytrain);
      // The test split's predictions of α* and of the run's α, in one pass over K(Xtest, X).
      const both = new Float64Array(n * 2);
      for (let j = 0; j < n; j++) {
        both[2 * j] = aStar[j]!;
        both[2 * j + 1] = alpha[j]!;
      }
      const P = await la.kernelPredict(kernel, problem.Xtest, X, { rows: n, cols: 2, data: both });
      let num = 0;
      let den = 0;
      for (let i = 0; i < P.rows; i++) {
        num += (P.data[2 * i + 1]! - P.data[2 * i]!) ** 2;
        den += P.data[2 * i]! ** 2;
      }
      return { testPredictionRelDiff: P.rows ? Math.sqrt(num / (den || 1)) : 0 };
    },
    log,
  );
}

/** result.json, the tensors, model.json and the summary line. */
function kernelRegressionOutput(
  job: KernelRegressionJobSpec,
  kernel: KernelFn,
  problem: KernelProblem,
  source: Record<string, unknown>,
  live: readonly number[],
  placement: { placed: PlacedPlan; seconds: number },
  { setup, sync, async }: Solved,
  evaluation: { curve: CurvePoint[]; evalSeconds: number; evalPoints: number },
  direct: Diagnostic<{ testPredictionRelDiff: number }>,
) {
  const X = problem.Xtrain;
  const n = X.rows;
  const G = live.length;
  const e = job.eigenpro;
  const res = sync ?? async!;
  const { curve } = evaluation;
  const final = curve[curve.length - 1]!;
  const model: KernelModelFile = { kind: 'kernel-regression', kernel, centers: 'centers.npy', alpha: 'alpha.npy', n, d: X.cols, binary: problem.binary };
  const target = e.targetError;
  const result = {
    job: job.job,
    solver: job.solver,
    kernel,
    data: { n, d: X.cols, test: problem.Xtest.rows, binary: problem.binary, ...source },
    workers: G,
    placement: { centersPerWorker: n, bytesPlaced: placement.placed.bytesPlaced, seconds: placement.seconds },
    eigenpro: { ...e, setupSeconds: setup.seconds, preconditioners: setup.workers.map((w, r) => ({ worker: live[r], s: w.s, q: w.q, lambdaNext: w.lambdaNext, sigmaTop: w.sigmas[0], sigmaNext: w.sigmas[w.q], beta: w.beta })) },
    chaos: job.chaos,
    stoppedBy: res.stoppedBy,
    wallSeconds: res.seconds,
    epochs: final.epochs,
    secondsPerEpoch: final.epochs > 0 ? res.seconds / final.epochs : null,
    ...(sync ? { step: sync.step, stepRule: sync.stepRule, rounds: sync.rounds, straggleWaitSeconds: sync.waitSeconds } : {}),
    ...(async
      ? {
          updates: async.updates,
          legs: async.legs,
          stepRule: async.stepRule,
          ...(async.steps ? { steps: async.steps } : {}),
          perWorker: async.workers.map(({ tauHistogram: _, ...w }) => w),
          staleness: async.staleness,
          reads: async.reads,
          store: async.store,
        }
      : {}),
    final: { trainRelError: final.trainRelError, trainMse: final.trainMse, testMse: final.testMse, trainClassError: final.trainClassError, testClassError: final.testClassError },
    evaluation: { trainPoints: evaluation.evalPoints, testPoints: problem.Xtest.rows, seconds: evaluation.evalSeconds, note: 'evaluated after the run from α snapshots' },
    ...(target ? { targetError: target, reachedTarget: timeToError(curve, target) } : {}),
    directReference: direct.value,
    referenceError: direct.error,
    curve,
  };
  const summary =
    `kernel-regression (${job.solver}) n=${n} d=${X.cols} on ${G} workers: ${final.epochs.toFixed(2)} epochs in ${res.seconds.toFixed(2)} s, ` +
    `train rel. error ${final.trainRelError.toExponential(3)}, test MSE ${final.testMse?.toExponential(3) ?? '-'}` +
    (final.testClassError !== null ? `, test class. error ${(100 * final.testClassError).toFixed(2)}%` : '') +
    (async ? `, τ mean ${async.staleness.meanTau.toFixed(2)} (p90 ${async.staleness.quantiles.p90}), mixed reads ${(100 * async.reads.mixedFraction).toFixed(1)}% (${async.store.kind} store)` : '');
  return {
    result,
    tensors: {
      'alpha.npy': { shape: [n], values: res.alpha },
      'centers.npy': { shape: [n, X.cols], values: X.data },
      'y_train.npy': { shape: [n], values: problem.ytrain },
    },
    files: { 'model.json': JSON.stringify(model, null, 2) + '\n' },
    summary,
  };
}

/** result.json of a kernel-regression job (its type is the runner's). */
export type KernelRegressionResult = Awaited<ReturnType<typeof runKernelRegression>>['result'];
