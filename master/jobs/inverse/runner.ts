import { z } from 'zod';
import type { InverseJobSpec } from './schema';
import { Rng } from '../../../shared/random';
import { loadMatrix, matrix, type Matrix } from '../../../shared/tensor';
import {
  checkFullRank,
  errorBounds,
  exactReference,
  inverseErrors,
  inverseProblem,
  invertOnCluster,
  iterationSummary,
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

/** Largest n·m² for which the master checks the rank by QR before sending work (about 2000³). */
const RANK_CHECK_LIMIT = 8e9;

function loadA(job: InverseJobSpec): Matrix {
  if (job.data.A) return loadMatrix(job.data.A);
  const s = job.data.synthetic!;
  const rng = new Rng(s.seed);
  return matrix(s.rows, s.cols, Float64Array.from({ length: s.rows * s.cols }, () => rng.normal()));
}

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
  const A = loadA(job);
  const problem = inverseProblem(job.job, A);
  const frc = inverseFrc(job);
  const workers = cluster.liveWorkers().length;
  frcScheme.check!(frc, { workers, blocks: problem.unknowns });
  const rank = A.rows * A.cols * A.cols <= RANK_CHECK_LIMIT ? checkFullRank(problem) : undefined;

  const jobId = `${cluster.id}-inv`;
  const ck = ctx.checkpoint?.open<{ groups: SolvedGroup[] }>({ version: 1, state: inverseState });
  const kept = ck?.restored?.state.groups ?? [];
  if (kept.length > 0) log.info({ jobId, groups: kept.length, columns: kept.reduce((n, g) => n + g.columns.length, 0) }, 'resuming: the column groups solved before the restart are kept');
  const saving = [...kept];
  await cluster.setChaos(job.chaos);
  let run;
  try {
    run = await invertOnCluster(cluster, problem, {
      jobId,
      kept,
      ...(ck
        ? {
            onGroup: (g: SolvedGroup) => {
              saving.push({ columns: g.columns, packed: Float64Array.from(g.packed) });
              ck.save(saving.length, { groups: saving }, []);
            },
          }
        : {}),
      workers,
      stragglers: frc.stragglers,
      rule: frc.decode,
      solver: job.solver,
      tol: job.tol,
      ...(job.maxIterations ? { maxIterations: job.maxIterations } : {}),
    });
  } finally {
  }
  const stragglers = run.outcome?.stragglers ?? [];
  log.info({ jobId, seconds: run.solveSeconds, stragglers: stragglers.length }, 'inverse decoded');

  const wantReference = job.reference === true || (job.reference === 'auto' && Math.max(A.rows, A.cols) <= REFERENCE_LIMIT);
  // The estimate is the result; the exact reference and the errors against it are diagnostics: a
  // reference ml-matrix cannot compute (a matrix singular to working precision that the solvers
  // got through) leaves them null with the reason, never a failed job.
  const checked = wantReference
    ? tryDiagnostic(
        'inverse exact reference',
        () => {
          const r = exactReference(problem);
          return { ref: r, errors: inverseErrors(problem, run.estimate, r) };
        },
        log,
      )
    : skippedDiagnostic(job.reference === false ? 'reference: false' : `the larger dimension is above ${REFERENCE_LIMIT} (reference: auto; set reference: true to compute it)`);
  const ref = checked.value?.ref;
  const errors = checked.value?.errors ?? inverseErrors(problem, run.estimate);
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
    scheme: { name: 'frc', ...frc, ...run.describe },
    errors: {
      reference: ref ? 'exact (ml-matrix: LU inverse / Householder QR least squares)' : null,
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
    rankCheck: rank ? { method: 'Householder QR pivots', ...rank } : { method: 'skipped (too large); solver evidence only' },
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
