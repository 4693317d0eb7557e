/**
 * Benchmark (not a test): the adaptive scheme against the oracle fixed scheme (issue 25 item 3).
 * For each delay condition (bench/adaptive-conditions.ts) and job length (a short job of about 50
 * rounds, a long one of about 500: least squares to ‖∇f‖/‖∇f₀‖ ≤ 1e-8 with the inverse-Lipschitz
 * step, 8 workers), every fixed configuration the registry's schemes offer as adaptive candidates
 * (wait-all, speculative over its grid, replication r = 2, 3, frc s = 1..3 with both decode rules,
 * mds, and with --grid full ignore-stragglers and leverage over their q) runs as its own job,
 * plus wait-all on the N − 1 fastest workers (the slowest one, as the same seed's wait-all run
 * measured it, left out: "fastest" is known only after the fact), and the adaptive variants. The
 * oracle is the configuration with the least median time over the seeds, chosen after the fact
 * per condition and length; the table gives each adaptive variant's ratio to it, paired by seed,
 * and how many seeds reached the target in every cell.
 *
 *   npm run bench -- adaptive [--repeats 5] [--conditions none,lambda-tail,slow-worker,trace,markov]
 *                             [--lengths short,long] [--grid exact|full] [--variants adaptive,adaptive-learning]
 *
 * A run's time is its job's time from the first round to the target (placement excluded, as for
 * every scheme), plus, for adaptive, the decision it made before the first round from the
 * declared delays and the calibration of the answers' overheads before it (its own cost). Runs go seed by seed, condition by condition, every
 * configuration of a cell next to the others (so load drift on the machine hits them alike).
 * Each run's time limit is 3× the same seed's
 * wait-all time (a configuration slower than that on a seed cannot be the oracle's median there):
 * a run stopped by it counts as not reaching the target.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { candidateSet } from '../core/policy';
import { jobOf, runJob } from '../master';
import { startLocalCluster, type LocalCluster } from '../launcher';
import { conditions as allConditions, makeProblem, TARGET, type Condition, type Problem } from './adaptive-conditions';
import { oracleMarkdown, oracleTable, rowsOver, type OracleRow, type OracleRun } from './adaptive-oracle-table';

/** The adaptive variants: the policy with the declared delays as its prior, and learning from the rounds alone. */
export const VARIANTS: Record<string, Record<string, unknown>> = {
  adaptive: { name: 'adaptive' },
  'adaptive-learning': { name: 'adaptive', prior: false },
};

export interface AdaptiveOracleOptions {
  /** Seeds per cell. */
  repeats: number;
  workers?: number;
  conditions?: readonly string[];
  lengths?: readonly string[];
  /** exact: the exact schemes' grids (the default); full: the approximate ones' too. */
  grid?: 'exact' | 'full';
  variants?: readonly string[];
  /** Rounds of the short and the long job. */
  shortRounds?: number;
  longRounds?: number;
  /** Each run's time limit, as a multiple of the same seed's wait-all time. */
  capFactor?: number;
}

export interface AdaptiveOracleResult {
  setup: Record<string, unknown>;
  problems: Problem[];
  conditions: { name: string; description: string }[];
  runs: OracleRun[];
  rows: OracleRow[];
  markdown: string;
  /** Rows where the adaptive variant with the prior is over 1.15× the oracle. */
  over: { condition: string; length: string; ratio: number }[];
}

const ROOT = resolve(__dirname, '..', '..');
const WITHOUT_SLOWEST = 'wait-all without the slowest';

export async function benchAdaptiveOracle(o: AdaptiveOracleOptions): Promise<AdaptiveOracleResult> {
  const N = o.workers ?? 8;
  const capFactor = o.capFactor ?? 3;
  const tmp = mkdtempSync(join(tmpdir(), 'coda-adaptive-oracle-'));
  const lengths = (o.lengths ?? ['short', 'long']).map((name) => {
    if (name !== 'short' && name !== 'long') throw new Error(`--lengths: short or long, got ${name}`);
    return makeProblem(name, name === 'short' ? (o.shortRounds ?? 50) : (o.longRounds ?? 500), tmp);
  });
  const conds = allConditions(N, { root: ROOT, tmp }).filter((c) => !o.conditions || o.conditions.includes(c.name));
  if (o.conditions) for (const c of o.conditions) if (!conds.some((x) => x.name === c)) throw new Error(`--conditions: unknown '${c}' (${allConditions(N, { root: ROOT, tmp }).map((x) => x.name).join(', ')})`);
  const variants = (o.variants ?? Object.keys(VARIANTS)).map((v) => {
    if (!VARIANTS[v]) throw new Error(`--variants: unknown '${v}' (${Object.keys(VARIANTS).join(', ')})`);
    return v;
  });
  const grid = candidateSet(N, { approximate: o.grid === 'full', coded: true, data: true }).filter((c) => c.label !== 'wait-all');
  const runs: OracleRun[] = [];
  const lc = await startLocalCluster({ workers: N, stderr: 'ignore' });
  try {
    for (let seed = 1; seed <= o.repeats; seed++) {
      for (const cond of conds) {
        for (const p of lengths) {
          const cell = { condition: cond.name, length: p.name, seed };
          const generous = { maxRounds: 3 * p.rounds + 20, timeLimit: 300 };
          const waitAll = await runOne(lc, p, cond, seed, { name: 'wait-all' }, generous, { clusterWorkers: N });
          runs.push({ ...cell, config: 'wait-all', kind: 'fixed', ...waitAll });
          const cap = { maxRounds: generous.maxRounds, timeLimit: Math.max(1, capFactor * (waitAll.seconds ?? waitAll.wall)) };
          const slowest = slowestWorker(waitAll.history);
          const rest = Array.from({ length: N }, (_, w) => w).filter((w) => w !== slowest);
          const without = await runOne(lc, p, cond, seed, { name: 'wait-all' }, cap, { clusterWorkers: N, workers: rest, ...(slowest !== undefined ? { without: slowest } : {}) });
          runs.push({ ...cell, config: WITHOUT_SLOWEST, kind: 'fixed', ...without, detail: { ...without.detail, leftOut: slowest } });
          for (const c of grid) {
            const r = await runOne(lc, p, cond, seed, { name: c.scheme, ...c.params }, cap, { clusterWorkers: N, blocks: c.blocks });
            runs.push({ ...cell, config: c.label, kind: 'fixed', ...r });
          }
          for (const v of variants) {
            const r = await runOne(lc, p, cond, seed, VARIANTS[v]!, cap, { clusterWorkers: N });
            runs.push({ ...cell, config: v, kind: 'adaptive', ...r });
          }
        }
      }
    }
  } finally {
    await lc.stop();
  }
  const rows = oracleTable(runs);
  const rounds = Object.fromEntries(lengths.map((p) => [p.name, p.rounds]));
  const primary = variants[0]!;
  return {
    setup: { workers: N, target: TARGET, step: 'inverse-lipschitz', capFactor, grid: o.grid ?? 'exact', variants, seeds: o.repeats, configurations: ['wait-all', WITHOUT_SLOWEST, ...grid.map((c) => c.label)] },
    problems: lengths,
    conditions: conds.map((c) => ({ name: c.name, description: c.description })),
    runs: runs.map(({ history: _h, ...r }: OracleRun & { history?: unknown }) => r),
    rows,
    markdown: oracleMarkdown(rows, { rounds }),
    over: rowsOver(rows, primary, 1.15).map((r) => ({ condition: r.condition, length: r.length, ratio: r.variants.find((v) => v.config === primary)?.ratio.median ?? NaN })),
  };
}

interface RunOutcome {
  seconds: number | null;
  rounds: number;
  wall: number;
  history: { arrivals: { worker: number; seconds: number }[] }[];
  detail: Record<string, unknown>;
}

async function runOne(
  lc: LocalCluster,
  p: Problem,
  cond: Condition,
  seed: number,
  scheme: Record<string, unknown>,
  stop: { maxRounds: number; timeLimit: number },
  opts: { clusterWorkers: number; workers?: number[]; without?: number; blocks?: number },
): Promise<RunOutcome> {
  const label = `${cond.name} ${p.name} seed ${seed} ${JSON.stringify(scheme)}${opts.without !== undefined ? ` without ${opts.without}` : ''}`;
  try {
    const job = jobOf('least-squares', {
      data: { A: p.A, b: p.b },
      step: 'inverse-lipschitz',
      workers: opts.workers?.length ?? opts.clusterWorkers,
      scheme,
      ...(opts.blocks !== undefined ? { blocks: opts.blocks } : {}),
      chaos: { ...cond.chaos(opts.without), seed },
      seed,
      stop: { tol: TARGET, ...stop },
    });
    const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log, ...(opts.workers ? { workers: opts.workers } : {}) });
    const r = out.result;
    const reached = r.stoppedBy === 'tol';
    const a = r.adaptive;
    // A decision made before the first round, and the calibration it rests on, are adaptive's own
    // cost: counted in its time (the placement is excluded for every scheme alike).
    const calibration = a?.calibration?.seconds ?? 0;
    const start = (a?.decisions[0]?.round === 0 ? a.decisions[0].decideSeconds : 0) + calibration;
    const detail: Record<string, unknown> = {
      stoppedBy: r.stoppedBy,
      wallSeconds: r.wallSeconds,
      placementSeconds: r.placementSeconds,
      ...(start > 0 ? { startDecisionSeconds: start - calibration } : {}),
      ...(calibration > 0 ? { calibrationSeconds: calibration, calibrationOverhead: a?.calibration?.overhead } : {}),
      ...(a
        ? {
            final: a.final,
            decisions: a.decisionsMade,
            decisionSeconds: a.decisionSeconds,
            replans: a.replans.count,
            replanSeconds: a.replans.seconds,
            reasons: a.decisions.filter((d) => d.replan || d.round === 0).map((d) => d.reason),
          }
        : {}),
    };
    process.stderr.write(`${label}: ${reached ? `${r.wallSeconds.toFixed(2)} s` : `stopped by ${r.stoppedBy} at ${r.wallSeconds.toFixed(2)} s`}, ${r.rounds} rounds${a ? `; ${a.decisionsMade} decisions, ${a.replans.count} re-plans, ended under ${a.final}` : ''}\n`);
    return { seconds: reached ? r.wallSeconds + start : null, rounds: r.rounds, wall: r.wallSeconds, history: r.history, detail };
  } catch (e) {
    process.stderr.write(`${label}: failed: ${(e as Error).message}\n`);
    return { seconds: null, rounds: 0, wall: stop.timeLimit, history: [], detail: { error: (e as Error).message } };
  }
}

/** The worker with the largest median answer time over a run's rounds (undefined without answers). */
export function slowestWorker(history: readonly { arrivals: readonly { worker: number; seconds: number }[] }[]): number | undefined {
  const by = new Map<number, number[]>();
  for (const h of history) for (const a of h.arrivals) by.set(a.worker, [...(by.get(a.worker) ?? []), a.seconds]);
  let worst: { w: number; m: number } | undefined;
  for (const [w, xs] of by) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s[s.length >> 1]!;
    if (!worst || m > worst.m) worst = { w, m };
  }
  return worst?.w;
}

export function printAdaptiveOracle(r: AdaptiveOracleResult): AdaptiveOracleResult {
  console.log(`\nAdaptive vs the oracle fixed scheme: seconds to ‖∇f‖/‖∇f₀‖ ≤ ${TARGET} (median (min–max), seeds that reached it), ${JSON.stringify(r.setup.workers)} workers`);
  for (const p of r.problems) console.log(`  ${p.name}: ${p.rows}×${p.cols}, ${p.rounds} rounds of steepest descent with the inverse-Lipschitz step`);
  for (const c of r.conditions) console.log(`  ${c.name}: ${c.description}`);
  console.log(`\n${r.markdown}\n`);
  for (const row of r.rows) {
    console.log(`${row.condition} ${row.length}: oracle ${row.oracle.config}; next ${row.runnersUp.map((c) => `${c.config} ${Number.isFinite(c.median) ? c.median.toFixed(2) : '∞'}`).join(', ')}`);
  }
  console.log(r.over.length === 0 ? '\nadaptive is within 1.15× of the oracle in every row' : `\nover 1.15× the oracle: ${r.over.map((x) => `${x.condition} ${x.length} (${x.ratio.toFixed(2)}×)`).join('; ')}`);
  return r;
}
