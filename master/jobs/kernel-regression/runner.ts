import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { KernelRegressionJobSpec } from './schema';
import { ClusterError, ShapeError } from '../../../shared/errors';
import { checkKernel, kernelPredict } from '../../../shared/kernels';
import { loadMatrix, loadVector, type Matrix } from '../../../shared/tensor';
import {
  CurveEvaluator,
  DIRECT_LIMIT,
  directKernelSolve,
  everyCenterEverywherePlan,
  generateKernelData,
  runAsyncEigenpro,
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
import type { JobContext } from '../types';
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
  versionRegressions: count,
  tauKnown: count,
  deltaSum: z.number(),
  sliceVersion: count,
  tauHistogram: z.array(count),
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

/** kernel-regression: data -> every center on every worker -> preconditioners -> EigenPro (sync or async) -> α, centers, model.json. */
export async function runKernelRegression(job: KernelRegressionJobSpec, ctx: JobContext) {
  const { cluster, log } = ctx;
  const kernel = checkKernel(job.kernel);
  const { problem, source } = loadProblem(job);
  const X: Matrix = problem.Xtrain;
  const y = problem.ytrain;
  const n = X.rows;
  const live = cluster.liveWorkers();
  const G = live.length;
  if (G === 0) throw new ClusterError('no live workers');
  if (n < 2 * G) throw new ShapeError(`kernel-regression: ${n} training points cannot be split among ${G} workers`);
  const starts = sliceStarts(n, G);
  const lens = starts.slice(1).map((e, r) => e - starts[r]!);
  const e = job.eigenpro;
  const jobId = `${cluster.id}-kr`;
  // One checkpoint per job: its state is the solver's (version 2 marks the asynchronous one).
  const ck = job.solver === 'eigenpro-sync' ? ctx.checkpoint?.open<SyncState, Snapshot>({ version: 1, state: syncState }) : undefined;
  const ckAsync = job.solver !== 'eigenpro-sync' ? ctx.checkpoint?.open<AsyncState, Snapshot>({ version: 2, state: asyncState }) : undefined;

  const tPlace = performance.now();
  await cluster.setChaos(job.chaos);
  // Every worker stores all n centers, but each step touches only its own batch: equal work, 1
  // (by operations, one step of the job's batch against the n centers is the reference task).
  const placed = await cluster.place(jobId, everyCenterEverywherePlan(live), { A: X, b: y, blockStarts: starts }, { work: () => 1, referenceFlops: eigenproReference(e.batch, n, X.cols) });
  const placeSeconds = (performance.now() - tPlace) / 1000;
  log.info({ jobId, workers: G, n, d: X.cols, bytes: placed.bytesPlaced, placeSeconds }, 'centers placed on every worker');

  let setup;
  let sync;
  let async;
  try {
    // Preconditioners are built without injected delay: the comparison is about the iterations.
    await cluster.setChaos('none');
    setup = await setupPreconditioners(cluster, placed, { kernel, nystrom: e.nystrom, q: e.q, seed: job.seed, sliceLengths: lens });
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
    // An asynchronous checkpoint is per slice: on a cluster of another size it does not fit, and
    // the run starts over (a synchronous one keeps only α, which fits any size).
    const saved = ckAsync?.restored;
    const asyncResume = saved && saved.state.versions.length === G && saved.state.alpha.length === n ? saved : undefined;
    if (saved && !asyncResume) log.warn({ slices: saved.state.versions.length, workers: G }, 'the AsyncEigenPro checkpoint was taken on another number of workers; the run starts over');
    if (job.solver === 'eigenpro-sync') {
      sync = await runSyncEigenpro(cluster, placed, {
        ...common,
        pre: setup.workers,
        onRound: progress,
        ...(ck?.restored ? { resume: ck.restored } : {}),
        ...(ck ? { checkpoint: (r: number, state: () => SyncState, history: readonly Snapshot[]) => ck.offer(r, state, history) } : {}),
      });
    } else {
      async = await runAsyncEigenpro(cluster, placed, {
        ...common,
        pre: setup.workers,
        store: e.store,
        name: `${jobId}/alpha`,
        onProgress: progress,
        ...(asyncResume ? { resume: asyncResume } : {}),
        ...(ckAsync ? { checkpoint: ckAsync } : {}),
      });
    }
  } finally {
    await cluster.release(placed);
  }

  const res = sync ?? async!;
  const tEval = performance.now();
  const evaluator = new CurveEvaluator(kernel, X, y, problem.Xtest, problem.ytest, problem.binary, e.evalPoints, job.seed + 17);
  const curve: CurvePoint[] = [];
  for (const s of res.snapshots) {
    curve.push(evaluator.point(s));
    // Yield between snapshots: the master's event loop also answers heartbeats.
    await new Promise((r) => setImmediate(r));
  }
  const final = curve[curve.length - 1]!;
  const evalSeconds = (performance.now() - tEval) / 1000;

  let direct: { testPredictionRelDiff: number } | null = null;
  if (n <= DIRECT_LIMIT) {
    // One blocking O(n³) solve, about a second at n = 1000; capped by DIRECT_LIMIT.
    const aStar = directKernelSolve(kernel, X, y);
    const pDirect = kernelPredict(kernel, problem.Xtest, X, aStar);
    const pOurs = kernelPredict(kernel, problem.Xtest, X, res.alpha);
    let num = 0;
    let den = 0;
    for (let i = 0; i < pDirect.length; i++) {
      num += (pOurs[i]! - pDirect[i]!) ** 2;
      den += pDirect[i]! ** 2;
    }
    direct = { testPredictionRelDiff: pDirect.length ? Math.sqrt(num / (den || 1)) : 0 };
  }

  const model: KernelModelFile = { kind: 'kernel-regression', kernel, centers: 'centers.npy', alpha: 'alpha.npy', n, d: X.cols, binary: problem.binary };
  const target = e.targetError;
  const result = {
    job: job.job,
    solver: job.solver,
    kernel,
    data: { n, d: X.cols, test: problem.Xtest.rows, binary: problem.binary, ...source },
    workers: G,
    placement: { centersPerWorker: n, bytesPlaced: placed.bytesPlaced, seconds: placeSeconds },
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
    evaluation: { trainPoints: evaluator.evalPoints, testPoints: problem.Xtest.rows, seconds: evalSeconds, note: 'evaluated after the run from α snapshots' },
    ...(target ? { targetError: target, reachedTarget: timeToError(curve, target) } : {}),
    directReference: direct,
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
      'y_train.npy': { shape: [n], values: y },
    },
    files: { 'model.json': JSON.stringify(model, null, 2) + '\n' },
    summary,
  };
}

/** result.json of a kernel-regression job (its type is the runner's). */
export type KernelRegressionResult = Awaited<ReturnType<typeof runKernelRegression>>['result'];
