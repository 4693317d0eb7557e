import { runMetrics, type RunMetrics, type RunRecord } from './record';
import { spread, type Spread } from './stats';

export interface RunRow {
  record: RunRecord;
  metrics: RunMetrics;
  /**
   * Wall time over that of the same algorithm, scheme, worker count and seed under the baseline
   * (no injected delay) profile: 1.8 means the stragglers cost 80% more time. Paired by seed, so
   * the ratio compares the same data, plan and sampler draws.
   */
  stragglerTax: number | null;
}

const pairKey = (r: RunRecord, chaos: string): string => JSON.stringify([r.params.algorithm, r.params.scheme, r.params.workers, r.params.seed, chaos]);

export function runRows(records: readonly RunRecord[], targets: readonly number[], baseline: string | undefined): RunRow[] {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  const metrics = new Map(sorted.map((r) => [r.id, runMetrics(r.result, targets)]));
  const byKey = new Map(sorted.map((r) => [pairKey(r, r.params.chaos), r]));
  return sorted.map((record) => {
    const m = metrics.get(record.id)!;
    let tax: number | null = null;
    if (baseline !== undefined) {
      const base = byKey.get(pairKey(record, baseline));
      const bw = base ? metrics.get(base.id)!.wallSeconds : null;
      if (bw && m.wallSeconds !== null) tax = m.wallSeconds / bw;
    }
    return { record, metrics: m, stragglerTax: tax };
  });
}

export const targetLabel = (t: number): string => t.toExponential();

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** runs.csv: one row per finished run in matrix order, every parameter and outcome; empty = not applicable or not reached. */
export function runsCsv(rows: readonly RunRow[], targets: readonly number[]): string {
  const header = [
    'run_id', 'algorithm', 'job', 'scheme', 'scheme_name', 'scheme_params', 'chaos', 'delay', 'workers', 'seed',
    'stopped_by', 'rounds', 'wall_seconds', 'placement_seconds', 'error_measure', 'final_error', 'rel_residual', 'rel_error_vs_direct',
    ...targets.map((t) => `time_to_${targetLabel(t)}`),
    'straggler_tax', 'stragglers_cut_off', 'rounds_with_stragglers', 'backups_launched', 'bytes_placed', 'bytes_moved',
  ];
  const body = rows.map(({ record: r, metrics: m, stragglerTax }) => [
    r.id, r.params.algorithm, r.job.job, r.params.scheme, r.params.schemeName, r.params.schemeParams, r.params.chaos, r.job.chaos.delay, r.params.workers, r.params.seed,
    m.stoppedBy, m.rounds, m.wallSeconds, m.placementSeconds, m.errorMeasure, m.finalError, m.relResidual, m.relErrorVsDirect,
    ...m.timeToTarget, stragglerTax, m.stragglersCutOff, m.roundsWithStragglers, m.backupsLaunched, m.bytesPlaced, m.bytesMoved,
  ]);
  return toCsv(header, body);
}

/** One cell of the comparison: an algorithm, scheme, chaos profile and worker count, across seeds. */
export interface GroupSummary {
  algorithm: string;
  scheme: string;
  chaos: string;
  workers: number;
  seeds: number[];
  errorMeasure: string | null;
  wall: Spread | null;
  rounds: Spread | null;
  finalError: Spread | null;
  relResidual: Spread | null;
  /** Per target: spread over the seeds that reached it, and how many did. */
  timeToTarget: { target: number; spread: Spread | null; reached: number }[];
  stragglerTax: Spread | null;
  stragglersCutOff: Spread | null;
  bytesPlaced: Spread | null;
}

export function summarize(rows: readonly RunRow[], targets: readonly number[]): GroupSummary[] {
  const groups = new Map<string, RunRow[]>();
  for (const row of rows) {
    const p = row.record.params;
    const key = JSON.stringify([p.algorithm, p.scheme, p.chaos, p.workers]);
    const g = groups.get(key);
    if (g) g.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((g) => {
    const p = g[0]!.record.params;
    const pick = (f: (r: RunRow) => number | null): Spread | null => spread(g.map(f));
    return {
      algorithm: p.algorithm,
      scheme: p.scheme,
      chaos: p.chaos,
      workers: p.workers,
      seeds: g.map((r) => r.record.params.seed),
      errorMeasure: g[0]!.metrics.errorMeasure,
      wall: pick((r) => r.metrics.wallSeconds),
      rounds: pick((r) => r.metrics.rounds),
      finalError: pick((r) => r.metrics.finalError),
      relResidual: pick((r) => r.metrics.relResidual),
      timeToTarget: targets.map((target, i) => {
        const s = pick((r) => r.metrics.timeToTarget[i] ?? null);
        return { target, spread: s, reached: s?.n ?? 0 };
      }),
      stragglerTax: pick((r) => r.stragglerTax),
      stragglersCutOff: pick((r) => r.metrics.stragglersCutOff),
      bytesPlaced: pick((r) => r.metrics.bytesPlaced),
    };
  });
}

export function summaryCsv(groups: readonly GroupSummary[], targets: readonly number[]): string {
  const sp = (name: string): string[] => [`${name}_median`, `${name}_min`, `${name}_max`];
  const header = [
    'algorithm', 'scheme', 'chaos', 'workers', 'seeds', 'error_measure',
    ...sp('wall_seconds'), ...sp('rounds'), ...sp('final_error'),
    ...targets.flatMap((t) => [...sp(`time_to_${targetLabel(t)}`), `reached_${targetLabel(t)}`]),
    ...sp('straggler_tax'), ...sp('stragglers_cut_off'), 'bytes_placed_median',
  ];
  const v = (s: Spread | null): unknown[] => (s ? [s.median, s.min, s.max] : [null, null, null]);
  const body = groups.map((g) => [
    g.algorithm, g.scheme, g.chaos, g.workers, g.seeds.length, g.errorMeasure,
    ...v(g.wall), ...v(g.rounds), ...v(g.finalError),
    ...g.timeToTarget.flatMap((t) => [...v(t.spread), t.reached]),
    ...v(g.stragglerTax), ...v(g.stragglersCutOff), g.bytesPlaced?.median ?? null,
  ]);
  return toCsv(header, body);
}
