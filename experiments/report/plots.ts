import { errorPoints, roundWorkers, runMetrics, type RunRecord } from '../record';
import type { GroupSummary } from '../tables';
import { targetLabel } from '../tables';

/**
 * The report's plots as Vega-Lite specs, data inlined. Each returns null when the runs carry
 * nothing to draw (e.g. a job kind whose history has no per-worker latencies), so the page says
 * so instead of showing an empty frame.
 */
export interface PlotSpec {
  id: string;
  title: string;
  caption: string;
  spec: Record<string, unknown>;
}

type Row = Record<string, string | number | null>;

/** Facet row label for experiments with several algorithms or worker counts. */
function panelOf(r: RunRecord, many: { algorithms: boolean; workers: boolean }): string {
  const parts = [many.algorithms ? r.params.algorithm : '', many.workers ? `${r.params.workers} workers` : ''].filter(Boolean);
  return parts.join(' · ') || 'all runs';
}

/** Keeps at most `max` points, always the first and last, evenly spread in between. */
function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (max - 1))]!);
  return out;
}

const FONT = { config: { font: 'sans-serif', view: { stroke: '#ccc' }, axis: { labelFontSize: 10, titleFontSize: 11 } } };

export interface PlotInput {
  records: RunRecord[];
  groups: GroupSummary[];
  targets: number[];
  schemes: string[];
  chaos: string[];
  many: { algorithms: boolean; workers: boolean };
}

export function errorVsTimePlot(inp: PlotInput): PlotSpec | null {
  const values: Row[] = [];
  let measure = 'error';
  for (const r of inp.records) {
    const t = errorPoints(r.result);
    if (t.measure) measure = t.measure;
    for (const p of thin(t.points.filter((p) => p.error > 0), 400)) {
      values.push({ run: r.id, scheme: r.params.scheme, chaos: r.params.chaos, seed: r.params.seed, panel: panelOf(r, inp.many), seconds: p.seconds, error: p.error });
    }
  }
  if (values.length === 0) return null;
  return {
    id: 'error-vs-time',
    title: 'Error against wall time',
    caption: `${measure} at each round against wall seconds since the first round; one line per run (seed), colour by scheme, one panel per chaos profile.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      facet: {
        column: { field: 'chaos', type: 'nominal', sort: inp.chaos, title: 'chaos profile' },
        ...(inp.many.algorithms || inp.many.workers ? { row: { field: 'panel', type: 'nominal', sort: [...new Set(values.map((v) => v.panel))], title: null } } : {}),
      },
      spec: {
        width: 300,
        height: 200,
        // A one-round job has one point per run: draw points too, so it still shows.
        mark: { type: 'line', strokeWidth: 1.2, opacity: 0.75, point: { size: 18 } },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', title: 'wall seconds' },
          y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, title: measure },
          color: { field: 'scheme', type: 'nominal', sort: inp.schemes, title: 'scheme' },
          detail: { field: 'run', type: 'nominal' },
          order: { field: 'seconds', type: 'quantitative' },
        },
      },
      ...FONT,
    },
  };
}

export function timeToTargetPlot(inp: PlotInput): PlotSpec | null {
  const values: Row[] = [];
  const rowsOrder: string[] = [];
  const byGroup = new Map(inp.groups.map((g) => [JSON.stringify([g.algorithm, g.scheme, g.chaos, g.workers]), g]));
  const addRow = (label: string): void => {
    if (!rowsOrder.includes(label)) rowsOrder.push(label);
  };
  for (const r of inp.records) {
    const g = byGroup.get(JSON.stringify([r.params.algorithm, r.params.scheme, r.params.chaos, r.params.workers]));
    if (!g) continue;
    const base = { scheme: r.params.scheme, chaos: r.params.chaos, panel: panelOf(r, inp.many) };
    const wall = runMetrics(r.result, []).wallSeconds;
    const targetsOf = errorPoints(r.result);
    const row = (what: string, seconds: number | null): void => {
      if (seconds === null) return;
      const label = inp.many.algorithms || inp.many.workers ? `${what} · ${base.panel}` : what;
      addRow(label);
      values.push({ kind: 'seed', ...base, row: label, seed: r.params.seed, seconds });
    };
    inp.targets.forEach((t) => row(`to ${targetLabel(t)}`, targetsOf.points.find((p) => p.error <= t)?.seconds ?? null));
    row('total wall time', wall);
  }
  if (values.length === 0) return null;
  // The bars and whiskers are the same medians and ranges as the summary table (tables.ts).
  for (const g of inp.groups) {
    const panel = [inp.many.algorithms ? g.algorithm : '', inp.many.workers ? `${g.workers} workers` : ''].filter(Boolean).join(' · ') || 'all runs';
    const lab = (what: string): string => (inp.many.algorithms || inp.many.workers ? `${what} · ${panel}` : what);
    const push = (what: string, s: { median: number; min: number; max: number } | null, n: number): void => {
      if (s) values.push({ kind: 'summary', scheme: g.scheme, chaos: g.chaos, panel, row: lab(what), median: s.median, lo: s.min, hi: s.max, n });
    };
    g.timeToTarget.forEach((t) => push(`to ${targetLabel(t.target)}`, t.spread, t.reached));
    push('total wall time', g.wall, g.wall?.n ?? 0);
  }
  const x = { field: 'scheme', type: 'nominal', sort: inp.schemes, title: null, axis: { labelAngle: -30 } };
  return {
    id: 'time-to-target',
    title: 'Time to each error target, and total wall time',
    caption:
      'Bars: median over seeds; whiskers: min–max over seeds; dots: single seeds. A scheme without a bar in a row did not reach that target in any seed ' +
      '(see "reached" in the table).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      facet: { row: { field: 'row', type: 'nominal', sort: rowsOrder, title: null }, column: { field: 'chaos', type: 'nominal', sort: inp.chaos, title: 'chaos profile' } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: { step: 34 },
        height: 150,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'summary'" }],
            mark: { type: 'bar', opacity: 0.55 },
            encoding: { x, y: { field: 'median', type: 'quantitative', title: 'seconds' }, color: { field: 'scheme', type: 'nominal', sort: inp.schemes, legend: null } },
          },
          {
            transform: [{ filter: "datum.kind === 'summary'" }],
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
          },
          {
            transform: [{ filter: "datum.kind === 'seed'" }],
            mark: { type: 'point', filled: true, size: 22, color: 'black', opacity: 0.7 },
            encoding: { x, y: { field: 'seconds', type: 'quantitative' } },
          },
        ],
      },
      ...FONT,
    },
  };
}

const MAX_LATENCIES = 60_000;

export function latencyPlot(inp: PlotInput): PlotSpec | null {
  let values: Row[] = [];
  for (const r of inp.records) {
    for (const a of roundWorkers(r.result)) {
      if (!a.cutOff && a.seconds !== null && a.seconds > 0) values.push({ scheme: r.params.scheme, chaos: r.params.chaos, worker: a.worker, seconds: a.seconds });
    }
  }
  if (values.length === 0) return null;
  const all = values.length;
  if (all > MAX_LATENCIES) values = thin(values, MAX_LATENCIES);
  return {
    id: 'worker-latency',
    title: 'Per-worker answer latency',
    caption:
      `Seconds from a round's start to each worker's answer, all seeds pooled; boxes: quartiles, whiskers: 1.5 IQR, dots beyond. ` +
      `Answers cut off as stragglers never arrive and are not in these boxes (see the timeline).` +
      (all > MAX_LATENCIES ? ` ${MAX_LATENCIES} of ${all} answers shown, evenly thinned.` : ''),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      facet: { row: { field: 'scheme', type: 'nominal', sort: inp.schemes, title: null }, column: { field: 'chaos', type: 'nominal', sort: inp.chaos, title: 'chaos profile' } },
      spec: {
        width: { step: 22 },
        height: 140,
        mark: { type: 'boxplot', extent: 1.5, size: 12, outliers: { size: 8, opacity: 0.5 } },
        encoding: {
          x: { field: 'worker', type: 'ordinal', title: 'worker' },
          y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, title: 'answer latency (s)' },
          color: { field: 'scheme', type: 'nominal', sort: inp.schemes, legend: null },
        },
      },
      ...FONT,
    },
  };
}

const MAX_TIMELINE_ROUNDS = 150;

export function timelinePlot(inp: PlotInput): PlotSpec | null {
  // One representative run per scheme, profile and panel: the first seed of the matrix.
  const seen = new Set<string>();
  const values: Row[] = [];
  const labels: string[] = [];
  const label = (r: RunRecord): string =>
    `${r.params.scheme} · ${r.params.chaos}${inp.many.algorithms ? ` · ${r.params.algorithm}` : ''}${inp.many.workers ? ` · ${r.params.workers}w` : ''} (seed ${r.params.seed})`;
  let truncated = false;
  for (const r of inp.records) {
    const key = JSON.stringify([r.params.algorithm, r.params.scheme, r.params.chaos, r.params.workers]);
    if (seen.has(key)) continue;
    const cells = roundWorkers(r.result);
    if (cells.length === 0) continue;
    seen.add(key);
    labels.push(label(r));
    for (const c of cells) {
      if (c.round > MAX_TIMELINE_ROUNDS) {
        truncated = true;
        continue;
      }
      values.push({ run: label(r), round0: c.round - 0.5, round1: c.round + 0.5, worker: c.worker, seconds: c.seconds, status: c.cutOff ? 'cut off (straggler)' : 'answered' });
    }
  }
  if (values.length === 0) return null;
  return {
    id: 'straggler-timeline',
    title: 'Which worker straggled in which round',
    caption:
      'One run per scheme and chaos profile (the first seed). Each cell is a worker in a round: shade = its answer latency, red = cut off as a straggler ' +
      '(the round went on without it), blank = given no task that round.' +
      (truncated ? ` First ${MAX_TIMELINE_ROUNDS} rounds shown.` : ''),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      facet: { row: { field: 'run', type: 'nominal', sort: labels, title: null, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top' } } },
      spec: {
        width: 620,
        height: { step: 11 },
        layer: [
          {
            transform: [{ filter: "datum.status === 'answered'" }],
            mark: { type: 'rect' },
            encoding: {
              x: { field: 'round0', type: 'quantitative', title: 'round', scale: { nice: false, zero: false } },
              x2: { field: 'round1' },
              y: { field: 'worker', type: 'ordinal', title: 'worker' },
              color: { field: 'seconds', type: 'quantitative', scale: { type: 'log', scheme: 'blues' }, title: 'latency (s)' },
            },
          },
          {
            transform: [{ filter: "datum.status !== 'answered'" }],
            mark: { type: 'rect', color: '#d62728' },
            encoding: { x: { field: 'round0', type: 'quantitative' }, x2: { field: 'round1' }, y: { field: 'worker', type: 'ordinal' } },
          },
        ],
      },
      ...FONT,
    },
  };
}

export function allPlots(inp: PlotInput): { plots: PlotSpec[]; missing: string[] } {
  const makers: [string, (i: PlotInput) => PlotSpec | null][] = [
    ['error against wall time (no run history with an error measure)', errorVsTimePlot],
    ['time to target (no finished run)', timeToTargetPlot],
    ['per-worker latency (the runs record no per-worker answer times)', latencyPlot],
    ['straggler timeline (the runs record no per-worker answer times)', timelinePlot],
  ];
  const plots: PlotSpec[] = [];
  const missing: string[] = [];
  for (const [what, make] of makers) {
    const p = make(inp);
    if (p) plots.push(p);
    else missing.push(what);
  }
  return { plots, missing };
}
