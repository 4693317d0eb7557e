import type { ExperimentManifest } from '../runner';
import type { Spread } from '../stats';
import type { GroupSummary } from '../tables';
import { targetLabel } from '../tables';

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** 3 significant digits; exponent form for very small or large values. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** "median [min–max]" or just the value when all seeds agree or there is one. */
export function fmtSpread(s: Spread | null, unit = ''): string {
  if (!s) return '–';
  const m = fmt(s.median) + unit;
  return s.n > 1 && s.min !== s.max ? `${m} <span class="range">[${fmt(s.min)}–${fmt(s.max)}]</span>` : m;
}

export function summaryTable(groups: readonly GroupSummary[], targets: readonly number[], many: { algorithms: boolean; workers: boolean }): string {
  const head = [
    ...(many.algorithms ? ['algorithm'] : []), 'scheme', 'chaos', ...(many.workers ? ['workers'] : []), 'seeds',
    'rounds', 'wall s', 'final error', ...targets.map((t) => `s to ${targetLabel(t)} <span class="range">(reached)</span>`),
    'straggler tax ×', 'stragglers cut off', 'bytes placed',
  ];
  const rows = groups.map((g) => [
    ...(many.algorithms ? [esc(g.algorithm)] : []), `<b>${esc(g.scheme)}</b>`, esc(g.chaos), ...(many.workers ? [String(g.workers)] : []), String(g.seeds.length),
    fmtSpread(g.rounds), fmtSpread(g.wall), fmtSpread(g.finalError),
    ...g.timeToTarget.map((t) => `${fmtSpread(t.spread)} <span class="range">(${t.reached}/${g.seeds.length})</span>`),
    fmtSpread(g.stragglerTax), fmtSpread(g.stragglersCutOff), fmt(g.bytesPlaced?.median),
  ]);
  return (
    `<table class="summary"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** A CSV (as written by tables.ts) as an HTML table, for the page's run list. */
export function csvTable(csv: string): string {
  const parseLine = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
        else if (c === '"') q = false;
        else cur += c;
      } else if (c === '"') q = true;
      else if (c === ',') out.push(cur), (cur = '');
      else cur += c;
    }
    out.push(cur);
    return out;
  };
  const [head, ...rows] = csv.trimEnd().split('\n').map(parseLine);
  return (
    `<table class="runs"><thead><tr>${head!.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

const CSS = `
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1400px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} .meta{color:#555;margin-top:0}
table{border-collapse:collapse;font-size:13px;margin:1rem 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap} th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left} .range{color:#777;font-size:11px}
figure.plot{margin:2rem 0;overflow-x:auto} figcaption{color:#444;font-size:13px;max-width:900px;margin-bottom:.5rem}
details{margin:1rem 0} .runs td,.runs th{font-size:11px} .note{color:#555;font-size:13px;max-width:900px}
`;

export interface PageParts {
  manifest: ExperimentManifest;
  finished: number;
  table: string;
  plots: { id: string; title: string; caption: string; svg: string }[];
  missing: string[];
  runsCsv: string;
}

export function reportPage(p: PageParts): string {
  const m = p.manifest;
  const a = m.axes;
  const axes = [
    a.algorithms.length > 1 ? `algorithms: ${a.algorithms.join(', ')}` : `job: ${esc(String(m.spec.base.job))}`,
    `schemes: ${a.schemes.join(', ')}`,
    `chaos profiles: ${a.chaos.join(', ')}`,
    `seeds: ${a.seeds.join(', ')}`,
    `workers: ${a.workers.join(', ')}`,
  ].map(esc);
  const partial = p.finished < m.runIds.length ? `<p class="note"><b>Partial:</b> ${p.finished} of ${m.runIds.length} runs finished; resume with the same command.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(m.name)} — Coda experiment report</title>
<link rel="icon" href="data:,"><meta name="viewport" content="width=device-width,initial-scale=1">
<style>${CSS}</style></head>
<body>
<h1>${esc(m.name)}</h1>
<p class="meta">${m.spec.description ? esc(m.spec.description) + '<br>' : ''}${axes.join(' · ')} · ${p.finished}/${m.runIds.length} runs</p>
${partial}
<h2>Summary</h2>
<p class="note">Each row is one scheme under one chaos profile, across seeds: <b>median</b>, with <span class="range">[min–max]</span> over the seeds.
Straggler tax: wall time over that of the same scheme and seed under ${m.baseline ? `the <b>${esc(m.baseline)}</b> profile (no injected delay)` : 'a no-delay profile (none in this matrix, so not measured)'}.
Time to target: wall seconds until the error measure first reached the target (iterations only, block placement excluded), over the seeds that reached it.</p>
${p.table}
${p.plots.map((pl) => `<figure class="plot" id="${esc(pl.id)}" data-plot="${esc(pl.id)}"><h2>${esc(pl.title)}</h2><figcaption>${esc(pl.caption)}</figcaption>${pl.svg}</figure>`).join('\n')}
${p.missing.length ? `<p class="note">Not drawn: ${p.missing.map(esc).join('; ')}.</p>` : ''}
<details><summary>Every run (runs.csv)</summary>${csvTable(p.runsCsv)}</details>
<p class="note">Made by <code>coda report</code> from runs/*.json; per-run JSON files hold each run's full history.</p>
</body></html>
`;
}
