import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOutputDir } from '../cli/output-dir';
import { jobOf, runJob, writeJobOutputs } from '../master';
import { startLocalCluster } from '../launcher';
import { median } from './stats';

/**
 * The soak: one least-squares job of many rounds (100,000 by default, CODA_SOAK_ROUNDS to
 * change) with small injected delays, master and worker RSS sampled every second. Reports the
 * growth after warm-up (the first tenth of the rounds) and the sizes of what the job wrote: the
 * master's memory must stay flat (the per-round history is streamed to history.jsonl, only a
 * bounded sample stays in memory and in result.json).
 *
 *   npm run bench -- soak
 */

/** Resident set size of a process in bytes (VmRSS), 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Sample {
  seconds: number;
  round: number;
  master: number;
  workers: number[];
}

export interface SoakResult {
  rounds: number;
  workers: number;
  wallSeconds: number;
  roundsPerSecond: number;
  /** MB: median RSS over the samples just after warm-up, over the last tenth of the run, and the difference. */
  master: { afterWarmUpMB: number; endMB: number; growthMB: number; peakMB: number };
  workersMax: { afterWarmUpMB: number; endMB: number; growthMB: number };
  resultJsonBytes: number;
  historyJsonlBytes: number;
  historyLines: number;
  samples: number;
}

export async function benchSoak(): Promise<SoakResult> {
  const rounds = Number(process.env.CODA_SOAK_ROUNDS ?? 100_000);
  const W = 4;
  const out = join('out', 'bench', 'soak');
  const job = jobOf('least-squares', {
    data: { synthetic: { kind: 'gaussian', rows: 400, cols: 10, seed: 1 } },
    scheme: { name: 'wait-all' },
    workers: W,
    // Small delays: every round waits for a real draw on each worker, and the run lasts minutes.
    chaos: { delay: { dist: 'exponential', rate: 5000 }, seed: 1 },
    // tol 0: the job runs every round (exact line search keeps the iterate at the solution).
    stop: { tol: 0, maxRounds: rounds, timeLimit: 3600 },
    out,
  });
  const dir = prepareOutputDir(out, 'soak');
  const lc = await startLocalCluster({ workers: W });
  const samples: Sample[] = [];
  let round = 0;
  const t0 = performance.now();
  const sample = (): void => {
    samples.push({ seconds: (performance.now() - t0) / 1000, round, master: process.memoryUsage().rss, workers: lc.workers.map((w) => rssOf(w.pid)) });
  };
  const timer = setInterval(sample, 1000);
  let lastLog = 0;
  let outcome;
  try {
    outcome = await runJob(job, {
      cluster: lc.master.cluster,
      metrics: lc.master.metrics,
      log: lc.master.log,
      historyPath: dir.partial('history.jsonl'),
      onProgress: (p) => {
        round = p.round;
        if (round - lastLog >= 10_000) {
          lastLog = round;
          const s = samples.at(-1);
          process.stderr.write(`soak: round ${round} at ${p.seconds.toFixed(0)} s, master RSS ${s ? (s.master / 1e6).toFixed(1) : '-'} MB\n`);
        }
      },
    });
  } finally {
    clearInterval(timer);
    sample();
    await lc.stop();
  }
  const wall = (performance.now() - t0) / 1000;
  writeJobOutputs(dir.dir, outcome);
  const warm = samples.filter((s) => s.round >= rounds / 10 && s.round < rounds / 5);
  const end = samples.filter((s) => s.round >= (rounds * 9) / 10);
  const mb = (b: number): number => b / 1e6;
  const masterWarm = median(warm.map((s) => s.master));
  const masterEnd = median(end.map((s) => s.master));
  const workerMax = (ss: Sample[]): number => median(ss.map((s) => Math.max(...s.workers)));
  const historyPath = join(out, 'history.jsonl');
  const historyLines = readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).length;
  return {
    rounds: outcome.result.rounds,
    workers: W,
    wallSeconds: wall,
    roundsPerSecond: outcome.result.rounds / outcome.result.wallSeconds,
    master: { afterWarmUpMB: mb(masterWarm), endMB: mb(masterEnd), growthMB: mb(masterEnd - masterWarm), peakMB: mb(Math.max(...samples.map((s) => s.master))) },
    workersMax: { afterWarmUpMB: mb(workerMax(warm)), endMB: mb(workerMax(end)), growthMB: mb(workerMax(end) - workerMax(warm)) },
    resultJsonBytes: statSync(join(out, 'result.json')).size,
    historyJsonlBytes: statSync(historyPath).size,
    historyLines,
    samples: samples.length,
  };
}

export function printSoak(r: SoakResult): void {
  console.log(
    `\nSoak: least squares 400×10 on ${r.workers} workers, exponential delays (mean 0.2 ms), ${r.rounds} rounds in ${r.wallSeconds.toFixed(0)} s (${r.roundsPerSecond.toFixed(0)} rounds/s)`,
  );
  console.table({
    master: { 'RSS after warm-up MB': r.master.afterWarmUpMB.toFixed(1), 'RSS at the end MB': r.master.endMB.toFixed(1), 'growth MB': r.master.growthMB.toFixed(1), 'peak MB': r.master.peakMB.toFixed(1) },
    'largest worker': { 'RSS after warm-up MB': r.workersMax.afterWarmUpMB.toFixed(1), 'RSS at the end MB': r.workersMax.endMB.toFixed(1), 'growth MB': r.workersMax.growthMB.toFixed(1), 'peak MB': '-' },
  });
  console.log(
    `result.json ${(r.resultJsonBytes / 1e3).toFixed(0)} kB (goal < 1 MB); history.jsonl ${(r.historyJsonlBytes / 1e6).toFixed(1)} MB, ${r.historyLines} lines; ` +
      `goal: growth < 20 MB after warm-up (the first tenth of the rounds); medians of the RSS samples (every second) over the second tenth and the last tenth`,
  );
}
