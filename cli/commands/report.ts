import { resolve } from 'node:path';
import { Command } from 'commander';
import { buildReport, loadRecords, readManifest, writeTables } from '../../experiments';

export function reportCommand(): Command {
  return new Command('report')
    .description("rebuild an experiment folder's runs.csv, summary.csv and report.html from its runs/*.json")
    .argument('<out-dir>', 'the output folder of `coda experiment`')
    .action(async (dir: string) => {
      const outDir = resolve(dir);
      const manifest = readManifest(outDir);
      writeTables(outDir, manifest, loadRecords(outDir, manifest.runIds));
      const r = await buildReport(outDir);
      process.stdout.write(`${r.runs}/${manifest.runIds.length} runs, plots: ${r.plots.join(', ')}\nreport: ${r.path}\n`);
    });
}
