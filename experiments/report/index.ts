import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../shared/errors';
import { writeFileAtomic } from '../../shared/fs';
import { loadRecords, type ExperimentManifest } from '../runner';
import { runRows, runsCsv, summarize } from '../tables';
import { reportPage, summaryTable } from './html';
import { allPlots } from './plots';
import { renderSvg } from './render';

export { renderSvg } from './render';
export { allPlots, type PlotSpec } from './plots';

export function readManifest(outDir: string): ExperimentManifest {
  const p = join(outDir, 'experiment.json');
  if (!existsSync(p)) throw new InputError(`${outDir}: no experiment.json here (not an experiment output folder)`);
  const m = JSON.parse(readFileSync(p, 'utf8')) as ExperimentManifest;
  if (m.format !== 'coda-experiment/1') throw new InputError(`${p}: unknown format ${String(m.format)}`);
  return m;
}

/**
 * outDir/report.html from experiment.json and runs/*.json: the summary table and the plots,
 * rendered to SVG here and inlined, so the page needs no script and opens offline.
 */
export async function buildReport(outDir: string): Promise<{ path: string; plots: string[]; runs: number }> {
  const manifest = readManifest(outDir);
  const records = loadRecords(outDir, manifest.runIds);
  if (records.length === 0) throw new InputError(`${outDir}: no finished runs in runs/ to report on`);
  const rows = runRows(records, manifest.targets, manifest.baseline ?? undefined);
  const groups = summarize(rows, manifest.targets);
  const many = { algorithms: manifest.axes.algorithms.length > 1, workers: manifest.axes.workers.length > 1 };
  const { plots, missing } = allPlots({ records, groups, targets: manifest.targets, schemes: manifest.axes.schemes, chaos: manifest.axes.chaos, many });
  const rendered = [];
  for (const p of plots) rendered.push({ id: p.id, title: p.title, caption: p.caption, svg: await renderSvg(p.spec, p.id) });
  const html = reportPage({
    manifest,
    finished: records.length,
    table: summaryTable(groups, manifest.targets, many),
    plots: rendered,
    missing,
    runsCsv: runsCsv(rows, manifest.targets),
  });
  const path = join(outDir, 'report.html');
  writeFileAtomic(path, html);
  return { path, plots: plots.map((p) => p.id), runs: records.length };
}
