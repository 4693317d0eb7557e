import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { LogisticRegressionJobSpec } from './schema';
import { matVec } from '../../../shared/kernels';
import type { Matrix } from '../../../shared/tensor';
import { evaluateAt, logisticLayout, solveLogistic, type IterationRecord, type LogisticHistoryEntry, type LogisticState } from '../../../algorithms/logistic';
import { logisticOptimum } from './optimum';
import { solveSpecOf } from './solve-spec';
import type { JobContext } from '../types';

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

const f64 = z.instanceof(Float64Array);
/** A logistic solver's checkpoint (LogisticState), as a restarted master reads it back. */
export const logisticStateSchema: z.ZodType<LogisticState, z.ZodTypeDef, unknown> = z.object({
  next: z.number().int().nonnegative(),
  w: f64,
  alpha: f64.optional(),
  gdStep: z.number(),
  passes: z.number(),
  stragglers: z.number(),
  backups: z.number(),
  seconds: z.number(),
});

/**
 * An iteration as result.json has it: GIANT's (and row-block gd's) in-loop estimates kept beside
 * the true values, the test error, and f − f* when the job asked for it (stop.suboptimality).
 */
export type EvaluatedIteration = IterationRecord & { estimatedObjective?: number; estimatedGradNorm?: number; testError?: number; suboptimality?: number };

function errorRate(X: Matrix, y: Float64Array, w: Float64Array): number {
  const a = matVec(X, w, new Float64Array(X.rows));
  let wrong = 0;
  for (let i = 0; i < a.length; i++) if ((a[i]! >= 0 ? 1 : -1) !== y[i]) wrong++;
  return wrong / X.rows;
}

/** logistic-regression: data -> placement (coded X and Xᵀ, Hessian or GIANT blocks) -> solver -> w.npy + result.json. */
export async function runLogisticRegression(job: LogisticRegressionJobSpec, ctx: JobContext) {
  const { cluster, log } = ctx;
  // Generated or read on the master's compute thread: X arrives in shared memory, the loop keeps answering.
  const problem = await (await cluster.compute()).logisticProblem(job.data);
  const { X, y } = problem.train;
  const n = X.rows;
  const d = X.cols;
  const W = cluster.liveWorkers().length;
  const solver = job.solver;
  // The session's id: the same for a job a restarted master resumes.
  const jobId = `${cluster.id}-lr`;
  const ck = ctx.checkpoint?.open<LogisticState, LogisticHistoryEntry>({ version: 1, state: logisticStateSchema });
  if (ck?.restored) log.info({ jobId, iteration: ck.restored.state.next }, 'resuming from a checkpoint');
  const layout = logisticLayout(solveSpecOf(job), W, n, d);
  // Row blocks under ignore-stragglers estimate f from a minibatch: they do not stop on it (their
  // true f − f* is evaluated after the run, and the time to a target read from it).
  const estimated = layout.rowBlocks && layout.gradient.name === 'ignore-stragglers';
  let fStar: number | undefined;
  if (job.stop.suboptimality !== undefined) {
    const t = performance.now();
    const opt = await logisticOptimum(await cluster.compute(), JSON.stringify(job.data), X, y, job.lambda);
    fStar = opt.f;
    log.info({ jobId, fStar, gradNorm: opt.gradNorm, iterations: opt.iterations, seconds: (performance.now() - t) / 1000 }, 'optimum for stop.suboptimality');
  }
  const target = fStar !== undefined && !estimated ? fStar + job.stop.suboptimality! : undefined;
  const objective = target === undefined ? job.stop.objective : Math.min(target, job.stop.objective ?? Infinity);
  const opts = {
    stop: { ...job.stop, ...(objective !== undefined ? { objective } : {}) },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ck?.restored ? { resume: ck.restored } : {}),
    ...(ck ? { checkpoint: (t: number, state: () => LogisticState, history: (from: number) => LogisticHistoryEntry[]) => ck.offer(t, state, history) } : {}),
    onIteration: (r: IterationRecord) => {
      ctx.metrics.residual.set(cluster.labels, r.gradNorm);
      ctx.onProgress?.({ round: r.iteration, maxRounds: job.stop.maxRounds, seconds: r.seconds, residual: r.gradNorm, stragglers: r.rounds.reduce((s, x) => s + x.stragglers, 0) });
    },
  };
  await cluster.setChaos(job.chaos);
  const tPlace = performance.now();
  let outcome;
  try {
    outcome = await solveLogistic(cluster, jobId, X, y, { ...solveSpecOf(job), lambda: job.lambda, seed: job.seed }, opts);
  } finally {
  }
  const res = outcome.run;
  // (A resumed run's seconds include the time before the restart.)
  const placementSeconds = Math.max(0, (performance.now() - tPlace) / 1000 - res.seconds);
  log.info({ jobId, solver, bytes: outcome.bytesPlaced, placementSeconds }, 'logistic regression done');

  // Evaluated after the timed loop: test error for every iterate; for GIANT (whose in-loop values
  // may be minibatch estimates) the true training objective, gradient and error too.
  const test = problem.test;
  const history = res.history.map((h) => {
    const w = res.iterates[h.iteration]!;
    const out: EvaluatedIteration = { ...h };
    if (layout.rowBlocks) {
      const ev = evaluateAt(X, y, job.lambda, w);
      Object.assign(out, { objective: ev.f, gradNorm: ev.gradNorm, trainError: ev.error, estimatedObjective: h.objective, estimatedGradNorm: h.gradNorm });
    }
    if (test) out.testError = errorRate(test.X, test.y, w);
    if (fStar !== undefined) out.suboptimality = Math.max(0, out.objective - fStar);
    return out;
  });
  const last = history[history.length - 1]!;
  // Bytes moved per iteration, measured: medians over the iterations that took a step, by purpose.
  const stepped = res.history.filter((h) => h.rounds.length > 0 && h.step > 0);
  const purposes = [...new Set(stepped.flatMap((h) => h.rounds.map((r) => r.purpose)))];
  const bytesPerIteration = {
    total: median(stepped.map((h) => h.rounds.reduce((s, r) => s + r.bytes, 0))),
    ...Object.fromEntries(purposes.map((p) => [p, median(stepped.map((h) => h.rounds.filter((r) => r.purpose === p).reduce((s, r) => s + r.bytes, 0)))])),
  };
  const result = {
    job: job.job,
    solver,
    lambda: job.lambda,
    data: { rows: n, cols: d, testRows: test?.X.rows ?? 0, ...problem.source },
    workers: W,
    schemes: outcome.schemes,
    chaos: job.chaos,
    stoppedBy: res.stoppedBy,
    iterations: res.iterations,
    wallSeconds: res.seconds,
    placementSeconds,
    bytesPlaced: outcome.bytesPlaced,
    bytesMovedPerIteration: bytesPerIteration,
    objective: last.objective,
    gradNorm: last.gradNorm,
    trainError: last.trainError,
    ...(test ? { testError: last.testError } : {}),
    passes: res.history[res.history.length - 1]!.passes,
    stragglersCutOff: res.stragglersCutOff,
    backupsLaunched: res.backupsLaunched,
    ...(fStar !== undefined
      ? {
          fStar,
          suboptimality: last.suboptimality ?? null,
          // Wall seconds at which f − f* first reached stop.suboptimality (null: never).
          secondsToSuboptimality: history.find((h) => h.suboptimality! <= job.stop.suboptimality!)?.seconds ?? null,
        }
      : {}),
    history,
  };
  const summary =
    `logistic-regression ${n}×${d} (λ = ${job.lambda}) on ${W} workers, ${solver}: ${res.iterations} iterations in ${res.seconds.toFixed(2)} s ` +
    `(stopped by ${res.stoppedBy}), f = ${Number(last.objective).toPrecision(10)}, ‖∇f‖ = ${Number(last.gradNorm).toExponential(2)}, ` +
    `training error ${(100 * Number(last.trainError)).toFixed(2)}%` +
    (test ? `, test error ${(100 * Number(last.testError)).toFixed(2)}%` : '') +
    `, ${result.passes.toFixed(1)} data passes, ${((bytesPerIteration.total ?? 0) / 1e6).toFixed(2)} MB moved per iteration (placement ${(outcome.bytesPlaced / 1e6).toFixed(1)} MB), stragglers cut off ${res.stragglersCutOff}`;
  return { result, tensors: { 'w.npy': { shape: [d], values: res.w } }, summary };
}

/** result.json of a logistic-regression job (its type is the runner's). */
export type LogisticRegressionResult = Awaited<ReturnType<typeof runLogisticRegression>>['result'];

