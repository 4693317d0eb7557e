import type { JobSpec } from '../master';
import type { RunParams } from './expand';

/** runs/<id>.json: one finished run, everything the tables and plots are made from. */
export interface RunRecord {
  format: 'coda-experiment-run/1';
  id: string;
  index: number;
  params: RunParams;
  /** The job as run (without `out`); a resumed experiment checks it still matches. */
  job: JobSpec;
  /** The job's result.json object, with its full per-round history. */
  result: Record<string, unknown>;
}

export interface TracePoint {
  round: number;
  seconds: number;
  error: number;
}

/**
 * History fields that measure progress, in order of preference (least squares: relGradient;
 * logistic: f − f* when the job has stop.suboptimality, else gradNorm).
 */
const MEASURES = ['suboptimality', 'relGradient', 'relError', 'gradNorm', 'error', 'loss', 'residual', 'relResidual'] as const;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The error-against-wall-time trace of a run: its history's progress measure at each round. */
export function errorTrace(result: Record<string, unknown>): { measure: string | null; points: TracePoint[] } {
  const history = Array.isArray(result.history) ? (result.history as Record<string, unknown>[]) : [];
  const first = history.find((h) => h && typeof h === 'object');
  const measure = first ? MEASURES.find((m) => num(first[m]) !== null) : undefined;
  if (!measure) return { measure: null, points: [] };
  const points: TracePoint[] = [];
  history.forEach((h, i) => {
    const seconds = num(h.seconds);
    const error = num(h[measure]);
    if (seconds !== null && error !== null) points.push({ round: num(h.round) ?? i + 1, seconds, error });
  });
  return { measure, points };
}

/** The scalar outcomes of one run (what runs.csv has beside its parameters). */
export interface RunMetrics {
  stoppedBy: string | null;
  rounds: number | null;
  wallSeconds: number | null;
  placementSeconds: number | null;
  errorMeasure: string | null;
  finalError: number | null;
  relResidual: number | null;
  relErrorVsDirect: number | null;
  /** Wall seconds at which the trace first reached each target; null if it never did. */
  timeToTarget: (number | null)[];
  stragglersCutOff: number | null;
  roundsWithStragglers: number | null;
  backupsLaunched: number | null;
  bytesPlaced: number | null;
  /** Placement plus every round's task and answer payloads, where the job reports it. */
  bytesMoved: number | null;
}

/** One-round jobs (inverse, pseudoinverse) report `round: { seconds, stragglers, arrivals, ... }` and `errors: {...}` instead of a history. */
const oneRound = (result: Record<string, unknown>): Record<string, unknown> | null =>
  result.round && typeof result.round === 'object' && !Array.isArray(result.round) ? (result.round as Record<string, unknown>) : null;

/** Scalar error of a one-round job, in order of preference. */
const SCALAR_ERRORS = ['relativeFrobeniusNorm', 'relativeFrobenius', 'residualFrobenius'] as const;

/** errorTrace, or for a one-round job its single (seconds, error) point. */
export function errorPoints(result: Record<string, unknown>): { measure: string | null; points: TracePoint[] } {
  const trace = errorTrace(result);
  const round = oneRound(result);
  if (trace.points.length > 0 || !round || !result.errors || typeof result.errors !== 'object') return trace;
  const errors = result.errors as Record<string, unknown>;
  const m = SCALAR_ERRORS.find((k) => num(errors[k]) !== null);
  const seconds = num(round.seconds);
  return m && seconds !== null ? { measure: m, points: [{ round: 1, seconds, error: num(errors[m])! }] } : trace;
}

export function runMetrics(result: Record<string, unknown>, targets: readonly number[]): RunMetrics {
  const { measure, points } = errorPoints(result);
  const round = oneRound(result);
  const last = points[points.length - 1];
  const roundStragglers = Array.isArray(round?.stragglers) ? (round.stragglers as unknown[]).length : null;
  return {
    stoppedBy: typeof result.stoppedBy === 'string' ? result.stoppedBy : null,
    rounds: num(result.rounds) ?? num(result.iterations) ?? (round ? 1 : null) ?? (points.length || null),
    wallSeconds: num(result.wallSeconds) ?? num(round?.seconds) ?? last?.seconds ?? null,
    placementSeconds: num(result.placementSeconds) ?? num(round?.placementSeconds),
    errorMeasure: measure,
    finalError: last?.error ?? (measure ? num(result[measure]) : null),
    relResidual: num(result.relResidual),
    relErrorVsDirect: num(result.relErrorVsDirect),
    timeToTarget: targets.map((t) => points.find((p) => p.error <= t)?.seconds ?? null),
    stragglersCutOff: num(result.stragglersCutOff) ?? roundStragglers,
    roundsWithStragglers: num(result.roundsWithStragglers) ?? (roundStragglers === null ? null : roundStragglers > 0 ? 1 : 0),
    backupsLaunched: num(result.backupsLaunched),
    bytesPlaced: num(result.bytesPlaced) ?? num(round?.bytesPlaced),
    bytesMoved: num(result.bytesMoved),
  };
}

/** Per-round, per-worker answer latencies and who was cut off (history[].arrivals / .stragglers). */
export function roundWorkers(result: Record<string, unknown>): { round: number; worker: number; seconds: number | null; cutOff: boolean }[] {
  const round = oneRound(result);
  const history = Array.isArray(result.history) ? (result.history as Record<string, unknown>[]) : round ? [{ round: 1, ...round }] : [];
  const out: { round: number; worker: number; seconds: number | null; cutOff: boolean }[] = [];
  history.forEach((h, i) => {
    const round = num(h.round) ?? i + 1;
    if (Array.isArray(h.arrivals)) {
      for (const a of h.arrivals as { worker?: unknown; seconds?: unknown }[]) {
        const w = num(a.worker);
        if (w !== null) out.push({ round, worker: w, seconds: num(a.seconds), cutOff: false });
      }
    }
    if (Array.isArray(h.stragglers)) {
      for (const s of h.stragglers as unknown[]) {
        const w = num(s) ?? num((s as { worker?: unknown } | null)?.worker);
        if (w !== null) out.push({ round, worker: w, seconds: null, cutOff: true });
      }
    }
  });
  return out;
}
