import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { InverseJobSpec } from './schema';
import { defaultMaxIterations } from '../../../shared/kernels';
import { unpackSolvedColumns } from '../../../shared/kernels';
import {
  checkFullRank,
  conditionOf,
  describeEstimate,
  estimateColumnSolves,
  errorBounds,
  exactReference,
  inverseErrors,
  inverseProblem,
  invertOnCluster,
  iterationSummary,
  checkableOnMaster,
  RANK_PIVOT_TOL,
  REFERENCE_LIMIT,
  type InverseKind,
  type SolvedGroup,
} from '../../../algorithms/inverse';
import { parseParams } from '../../../core/schemes';
import { completeResidueClass, frc as frcScheme, frcAssignment, type FrcParams } from '../../../core/schemes/frc';
import type { JobContext } from '../types';
import { skippedDiagnostic, tryDiagnostic } from '../diagnostic';

/**
 * The inverse's checkpoint: every column group a worker has answered, kept the moment it arrives.
 * A restarted master solves only the columns no group covered yet (its frc plan is made over
 * them) and assembles the answer from both.
 */
const inverseState = z.object({ groups: z.array(z.object({ columns: z.array(z.number().int().nonnegative()), packed: z.instanceof(Float64Array) })) });

/** Seconds between progress updates while a long column solve runs (the groups report only when they finish). */
const PROGRESS_TICK_MS = 5000;

/** The job's frc parameters (its `scheme:` is always frc: column groups on s+1 workers each). */
export function inverseFrc(job: Pick<InverseJobSpec, 'scheme'>): FrcParams {
  const { name: _name, ...raw } = job.scheme;
  return parseParams(frcScheme, raw);
}

/** The output file's name inside a job's out folder. */
export function inverseOutputName(kind: InverseKind): string {
  return kind === 'inverse' ? 'inverse.npy' : 'pseudoinverse.npy';
}

/**
 * inverse / pseudoinverse: A -> checks (shape, finite, QR rank) -> frc column plan -> one round
 * of column solves -> the estimate and the report (the paper's errors, the Prop. 1 / Cor. 2
 * bound for the run's ε, iterations per column, who straggled). Every check runs before any
 * work is sent, and nothing is written here: the caller writes the outputs after success.
 */
export async function runInverse(job: InverseJobSpec, ctx: JobContext) {
  const { cluster, log } = ctx;
  const tJob = performance.now();
  // Generated or read on the master's compute thread (in shared memory), not on the loop.
  const A = await (await cluster.compute()).inverseMatrix(job.data);
  const problem = inverseProblem(job.job, A);
  const frc = inverseFrc(job);
  const workers = cluster.liveWorkers().length;
  frcScheme.check!(frc, { workers, blocks: problem.unknowns });
  // Factorizations on the master's linear-algebra thread: the loop keeps answering the workers.
  const la = await cluster.linalg();
  const small = checkableOnMaster(A);
  const rank = small ? await checkFullRank(la, problem) : undefined;

  const jobId = `${cluster.id}-inv`;
  const maxIterations = job.maxIterations ?? defaultMaxIterations(job.solver, problem.unknowns);
  // What the solve will cost, before it is sent (κ from the singular values; no time: the
  // workers' machines are not known here, `coda invert` adds it for its local cluster).
  const cond = small ? await conditionOf(la, A) : undefined;
  const estimate = cond
    ? estimateColumnSolves({ kind: job.job, rows: A.rows, cols: A.cols, sigmaMax: cond.sigmaMax, sigmaMin: cond.sigmaMin, solver: job.solver, tol: job.tol, maxIterations, workers, stragglers: frc.stragglers })
    : undefined;
  if (estimate) {
    const { lines, warning } = describeEstimate(estimate, { maxIter: 'maxIterations', tol: 'tol' });
    log.info({ jobId, kappa: estimate.kappaA, kappaM: estimate.kappaM, iterationsBound: estimate.iterationsBound, iterationsLikely: estimate.iterationsLikely, maxIterations, columnsPerWorker: estimate.columnsPerWorker, flops: estimate.flops }, lines[0]!);
    if (warning) log.warn({ jobId }, lines[1]!);
  }
  const ck = ctx.checkpoint?.open<{ groups: SolvedGroup[] }>({ version: 1, state: inverseState });
  const kept = ck?.restored?.state.groups ?? [];
  if (kept.length > 0) log.info({ jobId, groups: kept.length, columns: kept.reduce((n, g) => n + g.columns.length, 0) }, 'resuming: the column groups solved before the restart are kept');
  const saving = [...kept];
  // Progress in columns solved: a group counts when the first of its workers answers.
  const total = problem.unknowns;
  let columnsDone = kept.reduce((n, g) => n + g.columns.length, 0);
  let groupsDone = kept.length;
  let worstGradient = 0;
  const t0 = performance.now();
  const progress = (): void =>
    ctx.onProgress?.({ round: columnsDone, maxRounds: total, seconds: (performance.now() - t0) / 1000, residual: worstGradient, stragglers: 0, unit: 'columns' });
  const onGroup = (g: SolvedGroup): void => {
    const stats = unpackSolvedColumns(g.packed, g.columns.length, A.rows).stats;
    columnsDone += g.columns.length;
    groupsDone++;
    worstGradient = Math.max(worstGradient, ...stats.map((st) => st.gradientNorm));
    const its = stats.map((st) => st.iterations);
    log.info(
      { jobId, columnsDone, columns: total, groupsDone, seconds: (performance.now() - t0) / 1000, iterationsMax: Math.max(...its), unconverged: stats.filter((st) => !st.converged).length },
      `inverse: column group solved, ${columnsDone} of ${total} columns done`,
    );
    progress();
    if (ck) {
      saving.push({ columns: g.columns, packed: Float64Array.from(g.packed) });
      ck.save(saving.length, { groups: saving }, []);
    }
  };
  await cluster.setChaos(job.chaos);
  // The groups report only when they finish: the elapsed time goes on moving meanwhile.
  progress();
  const tick = setInterval(progress, PROGRESS_TICK_MS);
  tick.unref();
  let run;
  try {
    run = await invertOnCluster(cluster, problem, {
      jobId,
      kept,
      onGroup,
      workers,
      stragglers: frc.stragglers,
      rule: frc.decode,
      solver: job.solver,
      tol: job.tol,
      maxIterations,
    });
  } finally {
    clearInterval(tick);
  }
  const stragglers = run.outcome?.stragglers ?? [];
  log.info({ jobId, seconds: run.solveSeconds, stragglers: stragglers.length }, 'inverse decoded');

  const wantReference = job.reference === true || (job.reference === 'auto' && Math.max(A.rows, A.cols) <= REFERENCE_LIMIT);
  // The estimate is the result; the exact reference and the errors against it are diagnostics: a
  // reference LAPACK cannot compute (a matrix singular to working precision that the solvers got
  // through) leaves them null with the reason, never a failed job.
  const checked = wantReference
    ? await tryDiagnostic(
        'inverse exact reference',
        async () => {
          const r = await exactReference(la, problem, cond);
          return { ref: r, errors: await inverseErrors(la, problem, run.estimate, r) };
        },
        log,
      )
    : skippedDiagnostic(job.reference === false ? 'reference: false' : `the larger dimension is above ${REFERENCE_LIMIT} (reference: auto; set reference: true to compute it)`);
  const ref = checked.value?.ref;
  const errors = checked.value?.errors ?? (await inverseErrors(la, problem, run.estimate));
  const iterations = iterationSummary(run.stats);
  const allConverged = iterations.converged === problem.unknowns;
  // The round's own assignment: over the columns it solved (fewer after a restart kept some).
  const usedLogical = run.outcome?.decoded.used ?? [];
  const assignment = run.columnsSolved > 0 ? frcAssignment(workers, frc.stragglers, run.columnsSolved) : undefined;
  const result = {
    job: job.job,
    data: { rows: A.rows, cols: A.cols, ...(job.data.A ? { file: job.data.A } : { synthetic: job.data.synthetic }) },
    output: { rows: run.estimate.rows, cols: run.estimate.cols },
    solver: job.solver,
    tol: job.tol,
    maxIterations: run.maxIterations,
    workers,
    /** The master's linear-algebra backend (rank check, κ, reference, error products). */
    linalg: la.name,
    scheme: { name: 'frc', ...frc, ...run.describe },
    estimate: estimate
      ? { kappa: estimate.kappaA, kappaM: estimate.kappaM, iterationsBound: estimate.iterationsBound, iterationsLikely: estimate.iterationsLikely, capped: estimate.capped, formula: estimate.formula }
      : { note: 'skipped (A too large for the master’s SVD)' },
    errors: {
      reference: ref ? ref.method : null,
      referenceError: checked.error,
      definitions:
        'l2 = ‖Â−X‖₂², frobenius = ‖Â−X‖_F², relativeFrobenius = ‖Â−X‖_F²/‖X‖_F² (the paper’s squared errors); ' +
        'relativeFrobeniusNorm = ‖Â−X‖_F/‖X‖_F; residualFrobenius = ‖AÂ−I‖_F (inverse) or ‖ÂA−I‖_F (pseudoinverse)',
      ...errors,
    },
    bound: ref
      ? {
          epsilon: job.tol,
          sigmaMin: ref.sigmaMin,
          sigmaMax: ref.sigmaMax,
          conditionNumber: ref.sigmaMax / ref.sigmaMin,
          appliesToRun: allConverged,
          note: allConverged ? 'every column stopped with ‖∇f_i‖₂ ≤ ε' : 'some columns hit the iteration cap: the bound assumes ‖∇f_i‖₂ ≤ ε',
          bounds: errorBounds(problem, job.tol, ref.sigmaMin, ref.sigmaMax, errors),
        }
      : { epsilon: job.tol, bounds: null, note: `σ_min(A) needs the exact reference (reference: true, or dimension ≤ ${REFERENCE_LIMIT}); here: ${checked.error}` },
    iterations,
    rankCheck: rank ? { method: `QR with column pivoting (${rank.backend}), tolerance ${RANK_PIVOT_TOL} of the largest pivot`, ...rank } : { method: 'skipped (too large); solver evidence only' },
    /** The runner's wall time: loading A, the checks, placement, the solve round, the reference and the errors. */
    wallSeconds: (performance.now() - tJob) / 1000,
    round: {
      seconds: run.solveSeconds,
      placementSeconds: run.placeSeconds,
      bytesPlaced: run.bytesPlaced,
      decodedFromSlots: usedLogical,
      residueClass: (assignment && completeResidueClass(assignment, new Set(usedLogical))) ?? null,
      stragglers,
      arrivals: run.outcome?.arrivals ?? [],
      slotsMoved: run.outcome?.slotsMoved ?? 0,
      columnsSolved: run.columnsSolved,
    },
    chaos: job.chaos,
  };
  const name = inverseOutputName(job.job);
  const relText = errors.relativeFrobeniusNorm !== undefined ? `relative Frobenius error ${errors.relativeFrobeniusNorm.toExponential(2)}` : `‖AÂ−I‖_F ${errors.residualFrobenius.toExponential(2)}`;
  const summary =
    `${job.job} of a ${A.rows}×${A.cols} matrix on ${workers} workers (frc, s = ${frc.stragglers}, ${job.solver}, ε = ${job.tol}): ` +
    `${run.solveSeconds.toFixed(2)} s, ${relText}, iterations per column median ${iterations.median} max ${iterations.max}, ` +
    `stragglers cut off ${stragglers.length}` +
    (allConverged ? '' : ` — WARNING: ${problem.unknowns - iterations.converged} columns hit the iteration cap before ‖∇f‖ ≤ ε`);
  return { result, tensors: { [name]: { shape: [run.estimate.rows, run.estimate.cols], values: run.estimate.data } }, summary };
}

/** result.json of a inverse job (its type is the runner's). */
export type InverseResult = Awaited<ReturnType<typeof runInverse>>['result'];
