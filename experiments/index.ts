/**
 * Experiments: a matrix of runs (algorithms × schemes × chaos profiles × seeds × worker counts)
 * -> runs/<id>.json, runs.csv, summary.csv, report.html. Resumable: a run whose JSON exists is
 * not run again.
 *
 *   const exp = expandExperiment(loadExperimentFile('examples/straggler-showdown-experiment.yaml'), file);
 *   await runExperiment(exp, { outDir, executor: async () => myExecutor });
 *   await buildReport(outDir);
 */
export { experimentSchema, matrixSchema, chaosProfileSchema, type ExperimentSpec, type ExperimentInput } from './schema';
export { parseExperiment, loadExperimentFile } from './load';
export { expandExperiment, deepMerge, type ExpandedExperiment, type PlannedRun, type RunParams } from './expand';
export { runExperiment, loadRecords, writeTables, manifestOf, runPath, type RunExecutor, type RunProgress, type ExperimentEvents, type ExperimentManifest, type ExperimentOutcome } from './runner';
export { errorTrace, errorPoints, runMetrics, roundWorkers, type RunRecord, type RunMetrics } from './record';
export { quantile, spread, type Spread } from './stats';
export { runRows, runsCsv, summarize, summaryCsv, type RunRow, type GroupSummary } from './tables';
export { buildReport, readManifest } from './report';
export { experimentProgress } from './progress';
export { remoteExecutor } from './remote';
