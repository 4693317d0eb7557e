import { z } from 'zod';
import { declaredDelays } from '../../../shared/chaos';
import type { ChaosSpec } from '../../../shared/config';
import { norm2 } from '../../../shared/kernels';
import { directLeastSquares, normalEquations, steepestDescent, type LsHistoryPoint, type LsResult, type LsState } from '../../../algorithms';
import type { LeastSquaresSource } from '../../data';
import { chooseSchemeOrPolicy, type AdaptiveReport } from '../../../core/policy';
import { delayAnswerTimes } from '../../../core/schemes';
import { skippedDiagnostic, tryDiagnostic } from '../diagnostic';
import type { JobContext, JobOutput } from '../types';
import type { LeastSquaresJobSpec } from './schema';
import { setUpAdaptiveLeastSquares } from './adaptive';
import { setUpLeastSquares, type LsSetup } from './setup';

/** result.json of a least-squares job. */
export type LeastSquaresResult = {
  job: 'least-squares';
  /** The scheme's parameters and what its plan reports (replication, distortion, code sizes, ...). */
  scheme: { name: string; measuredEndingTimeSeconds?: Record<string, unknown> } & Record<string, unknown>;
  data: { rows: number; cols: number } & LeastSquaresSource;
  workers: number;
  blocks: number;
  chaos: ChaosSpec;
  /** The step rule as run ("exact line search", "fixed 0.01", ...). */
  step: string;
  stoppedBy: LsResult['stoppedBy'];
  rounds: number;
  wallSeconds: number;
  placementSeconds: number;
  bytesPlaced: number;
  taskBytesSent: number;
  taskBytesReceived: number;
  bytesMoved: number;
  relGradient: number;
  relResidual: number;
  /** ‖Ax* − b‖/‖b‖ and ‖x − x*‖/‖x*‖ against the direct solution x*; null when it could not be computed (referenceError says why). */
  optimalRelResidual: number | null;
  relErrorVsDirect: number | null;
  /** Why there is no direct reference (A too large, rank-deficient, ...); null when there is one. */
  referenceError: string | null;
  stragglersCutOff: number;
  roundsWithStragglers: number;
  backupsLaunched: number;
  slotsRelocated: number;
  /** scheme adaptive: every decision with its reason, the re-plans (counted, timed, bytes), the runtime model and the error cost. */
  adaptive?: AdaptiveReport & { params: Readonly<Record<string, unknown>> };
  /** Every round up to 2000 of them; beyond, every `history.every`-th: the whole run is in history.jsonl. */
  history: LsHistoryPoint[];
  historySummary: HistorySummary;
};

/** What result.json says of the whole per-round history (history.jsonl holds every round). */
export type HistorySummary = {
  rounds: number;
  /** result.json's history keeps rounds 1, 1 + every, 1 + 2·every, ... */
  every: number;
  /** The file beside result.json with every round, one JSON line each; null when not streamed. */
  file: string | null;
  roundSeconds: { mean: number; max: number };
};

const f64 = z.instanceof(Float64Array);
/** Steepest descent's checkpoint (LsState), as a restarted master reads it back. */
export const lsStateSchema: z.ZodType<LsState, z.ZodTypeDef, unknown> = z.object({
  round: z.number().int().nonnegative(),
  x: f64,
  seconds: z.number(),
  relGradient: z.number(),
  stragglersCutOff: z.number(),
  backupsLaunched: z.number(),
  slotsMoved: z.number(),
  taskBytes: z.object({ sent: z.number(), received: z.number() }),
  best: z.object({ relError: z.number(), seconds: z.number(), round: z.number() }).optional(),
});

/** Largest problem (rows × cols) for which the master also computes the direct solution to compare. */
const DIRECT_REFERENCE_LIMIT = 50_000_000;

/** least-squares: data -> scheme plan -> placement -> steepest descent -> x.npy + result.json. */
export async function runLeastSquares(job: LeastSquaresJobSpec, ctx: JobContext): Promise<JobOutput<LeastSquaresResult>> {
  const { cluster, log } = ctx;
  // Generated or read on the master's compute thread (A in shared memory), not on the loop.
  const problem = await (await cluster.compute()).leastSquaresProblem(job);
  const { A, b } = problem;
  const workers = cluster.liveWorkers().length;
  // The session's id: the same after a master restart, so the resumed run's blocks (and the send
  // order of plans that shuffle it, seeded from the id and the round) are the same.
  const jobId = `${cluster.id}-ls`;
  const ck = ctx.checkpoint?.open<LsState, LsHistoryPoint>({ version: 1, state: lsStateSchema });
  const restored = ck?.restored;
  if (restored) {
    log.info({ jobId, round: restored.round }, 'resuming from a checkpoint');
    // history.jsonl holds every round: the ones before the restart come from the checkpoint's log.
    for (const p of restored.history) ctx.history.append(p);
  }
  const tPlace = performance.now();
  await cluster.setChaos(job.chaos);
  // G = AᵀA, Aᵀb, the direct solve and the residuals on the master's linear-algebra thread.
  const la = await cluster.linalg();
  const normal = await normalEquations(la, A, b);
  // The job's scheme, parsed once: a scheme, or an adaptive policy over the schemes.
  const { scheme, policy } = chooseSchemeOrPolicy(job.scheme);
  // What the job's chaos injects at its start: a policy's prior (the master knows what it injects).
  const declared = policy ? declaredDelays(job.chaos, cluster.liveWorkers()) : undefined;
  const setup: LsSetup = policy
    ? await setUpAdaptiveLeastSquares(cluster, A, b, {
        jobId,
        seed: job.seed,
        taskTimeout: job.taskTimeout,
        policy,
        normal,
        tol: job.stop.tol,
        maxRounds: job.stop.maxRounds,
        log,
        metrics: ctx.metrics,
        labels: cluster.labels,
        ...(declared ? { declared } : {}),
      })
    : await setUpLeastSquares(cluster, A, b, scheme, {
        jobId,
        seed: job.seed,
        taskTimeout: job.taskTimeout,
        runtime: delayAnswerTimes(job.chaos.delay),
        ...(job.blocks !== undefined ? { blocks: job.blocks } : {}),
      });
  const placeSeconds = (performance.now() - tPlace) / 1000;
  const K = setup.blocks;
  log.info({ jobId, scheme: setup.scheme, workers, blocks: K, bytes: setup.bytesPlaced(), placeSeconds }, 'blocks placed');

  let res;
  const roundSeconds = { sum: 0, max: 0 };
  try {
    res = await steepestDescent(setup.oracle, normal, {
      step: job.step,
      stop: job.stop,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(restored ? { resume: restored } : {}),
      // The checkpointer's log asks for the records from its count on: one a round, in order.
      ...(ck ? { checkpoint: (round: number, state: () => LsState, point: LsHistoryPoint) => ck.offer(round, state, (from) => (from === round - 1 ? [point] : [])) } : {}),
      onRound: (r) => {
        ctx.history.append(r.point);
        roundSeconds.sum += r.point.roundSeconds;
        roundSeconds.max = Math.max(roundSeconds.max, r.point.roundSeconds);
        ctx.metrics.residual.set(cluster.labels, r.relGradient);
        ctx.onProgress?.({ round: r.round, maxRounds: job.stop.maxRounds, seconds: r.seconds, residual: r.relGradient, stragglers: r.outcome.stragglers.length });
      },
    });
  } finally {
    await setup.release();
  }

  // The direct reference is a diagnostic: x is the result, and a reference that cannot be had
  // (A too large, rank-deficient) is recorded as null with the reason, never a failed job.
  const reference =
    A.rows * A.cols <= DIRECT_REFERENCE_LIMIT
      ? await tryDiagnostic('least-squares direct reference', () => directLeastSquares(la, A, b), log)
      : skippedDiagnostic(`A has ${A.rows * A.cols} entries, more than the ${DIRECT_REFERENCE_LIMIT} the master solves directly for a reference`);
  const xs = reference.value ?? undefined;
  // ‖Ax − b‖ for the run's x and, with a reference, for x* (one product for both).
  const X = new Float64Array(A.cols * 2);
  for (let j = 0; j < A.cols; j++) {
    X[2 * j] = res.x[j]!;
    X[2 * j + 1] = xs?.[j] ?? 0;
  }
  const AX = (await la.matMul(A, { rows: A.cols, cols: 2, data: X })).data;
  const bNorm = norm2(b) || 1;
  const residualOf = (col: number): number => {
    let s = 0;
    for (let i = 0; i < A.rows; i++) s += (AX[2 * i + col]! - b[i]!) ** 2;
    return Math.sqrt(s) / bNorm;
  };
  const relResidual = residualOf(0);
  let relErrorVsDirect: number | null = null;
  let optimalRelResidual: number | null = null;
  if (xs) {
    const diff = res.x.map((v, i) => v - xs[i]!);
    relErrorVsDirect = norm2(diff) / (norm2(xs) || 1);
    optimalRelResidual = residualOf(1);
  }
  // Measured on the rounds kept (all of a run up to 2000 rounds, a uniform sample beyond).
  const measuredT = setup.measure?.(res.history.map((h) => ({ answers: h.arrivals.map((a) => a.seconds), tasks: setup.slots, endedAt: h.roundSeconds })));
  const result: LeastSquaresResult = {
    job: job.job,
    scheme: { name: setup.scheme, ...setup.describe, ...(measuredT ? { measuredEndingTimeSeconds: measuredT } : {}) },
    data: { rows: A.rows, cols: A.cols, ...problem.source },
    workers,
    blocks: K,
    chaos: job.chaos,
    step: res.stepRule,
    stoppedBy: res.stoppedBy,
    rounds: res.rounds,
    wallSeconds: res.seconds,
    placementSeconds: placeSeconds,
    bytesPlaced: setup.bytesPlaced(),
    taskBytesSent: res.taskBytes.sent,
    taskBytesReceived: res.taskBytes.received,
    bytesMoved: setup.bytesPlaced() + res.taskBytes.sent + res.taskBytes.received,
    relGradient: res.relGradient,
    relResidual,
    optimalRelResidual,
    relErrorVsDirect,
    referenceError: reference.error,
    stragglersCutOff: res.stragglersCutOff,
    roundsWithStragglers: res.roundsWithStragglers,
    backupsLaunched: res.backupsLaunched,
    slotsRelocated: res.slotsMoved,
    ...(setup.adaptive ? { adaptive: setup.adaptive() } : {}),
    history: res.history,
    historySummary: {
      rounds: res.rounds,
      every: res.historyEvery,
      file: ctx.history.lines > 0 ? 'history.jsonl' : null,
      roundSeconds: { mean: res.rounds > 0 ? roundSeconds.sum / res.rounds : 0, max: roundSeconds.max },
    },
  };
  const adaptiveLine = result.adaptive
    ? `; adaptive: ${result.adaptive.decisionsMade} decisions, ${result.adaptive.replans.count} re-plans (${result.adaptive.replans.seconds.toFixed(2)} s), ended under ${result.adaptive.final}`
    : '';
  const summary =
    `least-squares ${A.rows}×${A.cols} on ${workers} workers, scheme ${setup.scheme}: ${res.rounds} rounds in ${res.seconds.toFixed(2)} s ` +
    `(stopped by ${res.stoppedBy}), relative residual ${relResidual.toExponential(3)}` +
    (relErrorVsDirect !== null ? `, error vs direct solve ${relErrorVsDirect.toExponential(2)}` : `, no direct reference (${reference.error})`) +
    `, stragglers cut off ${res.stragglersCutOff}${adaptiveLine}`;
  return { result, tensors: { 'x.npy': { shape: [res.x.length], values: res.x } }, summary };
}
