import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../shared/errors';
import { writeFileAtomic } from '../shared/fs';
import type { ExpandedExperiment, PlannedRun } from './expand';
import type { RunRecord } from './record';
import { runRows, runsCsv, summarize, summaryCsv } from './tables';

/** A run's progress, as jobs report it (structurally master/jobs JobProgress). */
export interface RunProgress {
  round: number;
  maxRounds: number;
  seconds: number;
  residual: number;
  stragglers: number;
}

/** Runs one job somewhere (a local cluster, a master by address) and returns its result object. */
export interface RunExecutor {
  run(run: PlannedRun, opts: { onProgress?: (p: RunProgress) => void; signal?: AbortSignal }): Promise<Record<string, unknown>>;
  /** Optional untimed work before the first measured run (e.g. a few rounds on fresh processes). */
  warmUp?(run: PlannedRun): Promise<void>;
  close(): Promise<void>;
}

export interface ExperimentEvents {
  /** Once, before the first run: how many of the runs are already done (resumed). */
  onPlan?(total: number, alreadyDone: number): void;
  onRunStart?(run: PlannedRun, position: number, total: number): void;
  onRunProgress?(run: PlannedRun, p: RunProgress): void;
  onRunEnd?(run: PlannedRun, record: RunRecord, position: number, total: number): void;
}

/** experiment.json: what `coda report` needs to rebuild the tables and plots from runs/. */
export interface ExperimentManifest {
  format: 'coda-experiment/1';
  name: string;
  spec: ExpandedExperiment['spec'];
  axes: ExpandedExperiment['axes'];
  baseline: string | null;
  targets: number[];
  runIds: string[];
}

export const runPath = (outDir: string, id: string): string => join(outDir, 'runs', `${id}.json`);

export function manifestOf(exp: ExpandedExperiment): ExperimentManifest {
  return {
    format: 'coda-experiment/1',
    name: exp.name,
    spec: exp.spec,
    axes: exp.axes,
    baseline: exp.baseline ?? null,
    targets: exp.spec.targets,
    runIds: exp.runs.map((r) => r.id),
  };
}

/** The finished runs of a manifest found in outDir/runs, in matrix order. A half-written file cannot exist (atomic writes). */
export function loadRecords(outDir: string, runIds: readonly string[]): RunRecord[] {
  const out: RunRecord[] = [];
  for (const id of runIds) {
    const p = runPath(outDir, id);
    if (!existsSync(p)) continue;
    let rec: RunRecord;
    try {
      rec = JSON.parse(readFileSync(p, 'utf8')) as RunRecord;
    } catch (e) {
      throw new InputError(`${p}: not a run record (${(e as Error).message}); delete it to run it again`);
    }
    if (rec.format !== 'coda-experiment-run/1' || rec.id !== id) throw new InputError(`${p}: not a run record of this experiment; delete it to run it again`);
    out.push(rec);
  }
  return out;
}

/** runs.csv and summary.csv from the finished runs, each written atomically. */
export function writeTables(outDir: string, manifest: ExperimentManifest, records: readonly RunRecord[]): void {
  const rows = runRows(records, manifest.targets, manifest.baseline ?? undefined);
  writeFileAtomic(join(outDir, 'runs.csv'), runsCsv(rows, manifest.targets));
  writeFileAtomic(join(outDir, 'summary.csv'), summaryCsv(summarize(rows, manifest.targets), manifest.targets));
}

export interface ExperimentOutcome {
  ran: number;
  skipped: number;
  interrupted: boolean;
  records: RunRecord[];
}

/**
 * Runs every run of the matrix whose runs/<id>.json is missing, writing that file (atomically)
 * when the run finishes and rewriting runs.csv after each. A run cut short by the signal leaves
 * no file, so resuming runs it again from the start; a resumed experiment's runs.csv is the one
 * an uninterrupted experiment writes, rows in matrix order whatever order they finished in.
 * The executor is made only if some run is left.
 */
export async function runExperiment(
  exp: ExpandedExperiment,
  opts: { outDir: string; executor: () => Promise<RunExecutor>; signal?: AbortSignal; events?: ExperimentEvents },
): Promise<ExperimentOutcome> {
  const { outDir, events } = opts;
  mkdirSync(join(outDir, 'runs'), { recursive: true });
  const manifest = manifestOf(exp);
  const done = new Map(loadRecords(outDir, manifest.runIds).map((r) => [r.id, r]));
  for (const run of exp.runs) {
    const rec = done.get(run.id);
    if (rec && JSON.stringify(rec.job) !== JSON.stringify(run.job)) {
      throw new InputError(
        `${runPath(outDir, run.id)} was made from a different job than the experiment file now gives for run ${run.id}; ` +
          'use another output folder (--out), or delete the file to run it again',
      );
    }
  }
  writeFileAtomic(join(outDir, 'experiment.json'), JSON.stringify(manifest, null, 2) + '\n');
  const pending = exp.runs.filter((r) => !done.has(r.id));
  const total = exp.runs.length;
  events?.onPlan?.(total, total - pending.length);
  let ran = 0;
  let interrupted = false;
  if (pending.length > 0 && !opts.signal?.aborted) {
    const executor = await opts.executor();
    try {
      await executor.warmUp?.(pending[0]!);
      for (const run of pending) {
        if (opts.signal?.aborted) break;
        const position = done.size + 1;
        events?.onRunStart?.(run, position, total);
        const result = await executor.run(run, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (p) => events?.onRunProgress?.(run, p),
        });
        // A run stopped by the interrupt is not a measurement: keep no file, run it again on resume.
        if (opts.signal?.aborted || result.stoppedBy === 'signal') break;
        const record: RunRecord = { format: 'coda-experiment-run/1', id: run.id, index: run.index, params: run.params, job: run.job, result };
        writeFileAtomic(runPath(outDir, run.id), JSON.stringify(record) + '\n');
        done.set(run.id, record);
        ran++;
        writeTables(outDir, manifest, [...done.values()]);
        events?.onRunEnd?.(run, record, position, total);
      }
    } finally {
      await executor.close();
    }
  }
  interrupted = done.size < total;
  const records = exp.runs.map((r) => done.get(r.id)).filter((r): r is RunRecord => r !== undefined);
  writeTables(outDir, manifest, records);
  return { ran, skipped: total - pending.length, interrupted, records };
}
