import { z } from 'zod';
import type { DelaySpec } from '../../../shared/chaos';
import type { SchemeSpec } from '../../../shared/config';
import { showdownSchemes } from './fair-share';
import type { StragglerShowdownJobSpec } from './schema';
import { directLeastSquares, normalEquations, steepestDescent } from '../../../algorithms';
import { delayAnswerTimes } from '../../../core/schemes';
import { setUpLeastSquares } from '../least-squares/setup';
import type { JobContext } from '../types';

/** One scheme under one delay condition with one chaos seed. */
export interface ShowdownRun {
  scheme: string;
  label: string;
  condition: 'heavy-tailed' | 'tail-free' | 'no-delay';
  repeat: number;
  /** Tasks a round sends, and answers a round heard before it decoded (median over the iterations). */
  slots: number;
  answersPerRound: number;
  blocks: number;
  rounds: number;
  /** Seconds of iterations (and iterations) to reach the target, or null if the budget ran out first. */
  timeToTarget: number | null;
  roundsToTarget: number | null;
  bestError: number;
  stragglersCutOff: number;
  backupsLaunched: number;
  medianRoundSeconds: number;
}

const nullableNumber = z.number().nullable();
/**
 * The showdown's checkpoint: the runs done. A restarted master keeps them and runs the rest; the
 * run it was in is done again from its start, since what it measures is its wall time.
 */
const showdownState = z.object({
  runs: z.array(
    z.object({
      scheme: z.string(),
      label: z.string(),
      condition: z.enum(['heavy-tailed', 'tail-free', 'no-delay']),
      repeat: z.number(),
      slots: z.number(),
      answersPerRound: z.number(),
      blocks: z.number(),
      rounds: z.number(),
      timeToTarget: nullableNumber,
      roundsToTarget: nullableNumber,
      bestError: z.number(),
      stragglersCutOff: z.number(),
      backupsLaunched: z.number(),
      medianRoundSeconds: z.number(),
    }),
  ),
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function schemeLabel(s: SchemeSpec): string {
  const { name, ...p } = s;
  const args = Object.entries(p).map(([k, v]) => `${k}=${String(v)}`);
  return args.length ? `${name}(${args.join(', ')})` : name;
}

/** The delay with every task at the base time and no tail: what stragglers add beyond slowness. */
function tailFree(d: DelaySpec): DelaySpec | undefined {
  const per = d.per ? { per: d.per } : {};
  if (d.dist === 'lambda-tail' || d.dist === 'mixture') return { dist: 'constant', value: d.base, ...per };
  if (d.dist === 'shifted-exponential') return { dist: 'constant', value: d.shift, ...per };
  return undefined;
}

/**
 * straggler-showdown: every scheme on the same least-squares problem and the same cluster,
 * under the job's delay, under a tail-free version of it, and with no delay; time to the error
 * target, best error in the budget, straggler tax; medians over repeats.
 */
export async function runStragglerShowdown(job: StragglerShowdownJobSpec, ctx: JobContext) {
  const { cluster, log } = ctx;
  const { A, b, source } = await (await cluster.compute()).leastSquaresProblem(job);
  const la = await cluster.linalg();
  const xStar = await directLeastSquares(la, A, b);
  const normal = await normalEquations(la, A, b);
  const workers = cluster.liveWorkers().length;
  const none: DelaySpec = { dist: 'none' };
  const free = job.tailFree ? tailFree(job.chaos.delay) : undefined;
  const conditions: { name: ShowdownRun['condition']; delay: DelaySpec }[] = [
    { name: 'heavy-tailed', delay: job.chaos.delay },
    ...(free ? [{ name: 'tail-free' as const, delay: free }] : []),
    { name: 'no-delay', delay: none },
  ];
  const { fairSlots, fairAnswers, specs } = showdownSchemes(job, workers);
  const total = job.repeats * specs.length * conditions.length;
  const ck = ctx.checkpoint?.open<{ runs: ShowdownRun[] }>({ version: 1, state: showdownState });
  const runs: ShowdownRun[] = ck?.restored ? [...ck.restored.state.runs] : [];
  if (ck?.restored) log.info({ done: runs.length, total }, 'resuming: the runs done before the restart are kept');
  const done = (label: string, cond: string, rep: number): boolean => runs.some((r) => r.label === label && r.condition === cond && r.repeat === rep);
  const t0 = performance.now();
  for (let rep = 0; rep < job.repeats; rep++) {
    for (const [si, { spec, choice, blocks }] of specs.entries()) {
      const label = schemeLabel(spec);
      if (conditions.every((c) => done(label, c.name, rep))) continue;
      // One placement per scheme and repeat; the conditions only change the workers' delays.
      const setup = await setUpLeastSquares(cluster, A, b, choice, {
        jobId: `${cluster.id}-${rep}-${si}`,
        seed: job.seed + rep,
        taskTimeout: job.taskTimeout,
        runtime: delayAnswerTimes(job.chaos.delay),
        ...(blocks !== undefined ? { blocks } : {}),
      });
      try {
        for (const cond of conditions) {
          if (done(label, cond.name, rep)) continue;
          await cluster.setChaos({ ...job.chaos, delay: cond.delay, seed: job.chaos.seed + rep });
          const res = await steepestDescent(setup.oracle, normal, {
            step: job.step,
            // Run the whole budget: the best error reached in it is one of the measurements.
            stop: { tol: 0, maxRounds: job.stop.maxRounds, timeLimit: job.timeBudget },
            reference: { x: xStar, target: 1e-12 },
            // A run lasts its time budget: keep every round (time to target and the medians use them).
            historyCap: Number.POSITIVE_INFINITY,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          });
          const hit = res.history.find((h) => (h.relError ?? Infinity) <= job.target);
          runs.push({
            scheme: setup.scheme,
            label,
            condition: cond.name,
            repeat: rep,
            slots: setup.slots,
            answersPerRound: median(res.history.map((h) => h.arrivals.length / setup.roundsPerIteration)),
            blocks: setup.blocks,
            rounds: res.rounds,
            timeToTarget: hit ? hit.seconds : null,
            roundsToTarget: hit ? hit.round : null,
            bestError: res.best?.relError ?? NaN,
            stragglersCutOff: res.stragglersCutOff,
            backupsLaunched: res.backupsLaunched,
            medianRoundSeconds: median(res.history.map((h) => h.roundSeconds)),
          });
          ctx.onProgress?.({ round: runs.length, maxRounds: total, seconds: (performance.now() - t0) / 1000, residual: res.best?.relError ?? NaN, stragglers: res.stragglersCutOff });
          log.info({ scheme: label, condition: cond.name, repeat: rep, timeToTarget: hit?.seconds, best: res.best?.relError }, 'showdown run');
          // A run is minutes of measurement: kept at once, never redone after a restart.
          if (res.stoppedBy !== 'signal') ck?.save(runs.length, { runs }, []);
        }
      } finally {
        await setup.release();
      }
    }
  }

  const labels = [...new Set(runs.map((r) => r.label))];
  const pick = (label: string, c: ShowdownRun['condition']): ShowdownRun[] => runs.filter((r) => r.label === label && r.condition === c);
  /** Median over repeats; a repeat that missed the target counts as the budget (so the median is a lower bound then). */
  const medTime = (rs: ShowdownRun[]): number | null => {
    if (rs.length === 0 || rs.every((r) => r.timeToTarget === null)) return null;
    return median(rs.map((r) => r.timeToTarget ?? job.timeBudget));
  };
  const waitAll = medTime(pick(labels.find((l) => l.startsWith('wait-all')) ?? '', 'heavy-tailed'));
  const summary = labels.map((label) => {
    const heavy = pick(label, 'heavy-tailed');
    const th = medTime(heavy);
    const tn = medTime(pick(label, 'no-delay'));
    const tf = medTime(pick(label, 'tail-free'));
    return {
      scheme: label,
      blocks: heavy[0]?.blocks ?? null,
      slots: heavy[0]?.slots ?? null,
      answersPerRound: median(heavy.map((r) => r.answersPerRound)),
      timeToTarget: th,
      reachedTarget: `${heavy.filter((r) => r.timeToTarget !== null).length}/${heavy.length}`,
      speedupOverWaitAll: th !== null && waitAll !== null ? waitAll / th : null,
      bestErrorInBudget: median(heavy.map((r) => r.bestError)),
      timeNoDelay: tn,
      stragglerTax: th !== null && tn !== null ? th / tn : null,
      timeTailFree: tf,
      tailTax: th !== null && tf !== null ? th / tf : null,
      medianRoundMs: median(heavy.map((r) => r.medianRoundSeconds)) * 1000,
      stragglersCutOffPerRun: median(heavy.map((r) => r.stragglersCutOff)),
    };
  });
  const f = (v: number | null, d = 3): string => (v === null || Number.isNaN(v) ? '-' : v.toFixed(d));
  const table = [
    `${'scheme'.padEnd(34)} ${'slots'.padStart(5)} ${'answers'.padStart(7)} ${'round ms'.padStart(8)} ${'t→target s'.padStart(10)} ${'reached'.padStart(7)} ${'× wait-all'.padStart(10)} ${'best err'.padStart(9)} ${'t no-delay'.padStart(10)} ${'tax'.padStart(6)} ${'t tail-free'.padStart(11)} ${'tail tax'.padStart(8)}`,
    ...summary.map(
      (s) =>
        `${s.scheme.padEnd(34)} ${String(s.slots ?? '-').padStart(5)} ${f(s.answersPerRound, 1).padStart(7)} ${f(s.medianRoundMs, 1).padStart(8)} ${f(s.timeToTarget).padStart(10)} ${s.reachedTarget.padStart(7)} ${f(s.speedupOverWaitAll, 2).padStart(10)} ${s.bestErrorInBudget.toExponential(1).padStart(9)} ${f(s.timeNoDelay).padStart(10)} ${f(s.stragglerTax, 2).padStart(6)} ${f(s.timeTailFree).padStart(11)} ${f(s.tailTax, 2).padStart(8)}`,
    ),
  ].join('\n');
  return {
    result: {
      job: job.job,
      data: { rows: A.rows, cols: A.cols, ...source },
      workers,
      delay: job.chaos.delay,
      target: job.target,
      timeBudget: job.timeBudget,
      repeats: job.repeats,
      approximate: { slots: fairSlots, answers: fairAnswers },
      summary,
      runs,
      table,
    },
    tensors: {},
    summary:
      `straggler showdown: least squares ${A.rows}×${A.cols}, ${workers} workers, delay ${job.chaos.delay.dist}, ` +
      `medians over ${job.repeats} repeats (slots: tasks a round; answers: heard a round before it decoded; round ms: median round time under the delay; time to ‖x − x*‖/‖x*‖ ≤ ${job.target}; tax = time / time with no delay; tail tax = time / time with every task at the base delay)\n${table}`,
  };
}

/** result.json of a straggler-showdown job (its type is the runner's). */
export type StragglerShowdownResult = Awaited<ReturnType<typeof runStragglerShowdown>>['result'];
