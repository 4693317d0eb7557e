import { z } from 'zod';
import type { SketchComparisonJobSpec } from './schema';
import { InputError } from '../../../shared/errors';
import { norm2 } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { directLeastSquares, largestEigenvalue, planDataFor } from '../../../algorithms';
import { blockSrhtGradientOracle, exactGradientOracle, gaussianGradientOracle } from '../../../core/sketching';
import { evenBlockStarts } from '../../../core/schemes/placement';
import { chooseAs, delayAnswerTimes, leverage } from '../../../core/schemes';
import { fixedStepDescent, type AsyncGradientOracle } from './fixed-step-sd';
import { clusterLeverageOracle, simulatedLeverageOracle } from './leverage-oracle';
import { formatTable } from './table';
import type { JobContext } from '../types';

/** One instance's row of result.json: its ξ×, the error of x = 0, and each method's final errors by step. */
type InstanceRow = { instance: number; xiCross: number; start: number } & Partial<Record<SketchMethod, number[]>>;
type SketchMethod = SketchComparisonJobSpec['methods'][number];

const errors = z.array(z.number()).optional();
/**
 * Table I's checkpoint: the instances done (each a fresh seeded problem, its generators seeded by
 * the instance). A restarted master keeps them and goes on with the next instance.
 */
const tableState = z.object({
  rows: z.array(z.object({ instance: z.number(), xiCross: z.number(), start: z.number(), sd: errors, gaussian: errors, 'block-srht': errors, 'block-leverage': errors })),
  seconds: z.record(z.number()),
  leverageInfo: z.record(z.unknown()),
});

const LABEL: Record<string, string> = { sd: 'Regular SD', gaussian: 'Gaussian', 'block-srht': 'block-SRHT', 'block-leverage': 'block-lvg' };

/**
 * sketch-comparison: the leverage paper's Table I. For each instance (fresh seeded data), each
 * method runs fixed-step SD from 0 for every step factor, and the cell is the final
 * log10(‖x* − x̂‖₂/√N) averaged over the instances. The sketch size is the leverage scheme's: q
 * blocks of τ rows (r = q·τ rows for the Gaussian sketch).
 */
export async function runSketchComparison(job: SketchComparisonJobSpec, ctx: JobContext) {
  if (job.scheme.name !== 'leverage') throw new InputError(`sketch-comparison: scheme must be leverage (its q and slots set the sketch), got '${job.scheme.name}'`);
  if (!job.data.synthetic && job.instances > 1) throw new InputError('sketch-comparison: several instances need synthetic data (instance i uses seed + i)');
  const { name: _name, ...params } = job.scheme;
  const scheme = chooseAs(leverage, params);
  const live = ctx.cluster.liveWorkers();
  const methods = job.methods;
  // errs[method][step][instance]
  const errs = methods.map(() => job.stepFactors.map(() => [] as number[]));
  const perInstance: InstanceRow[] = [];
  const seconds: Record<string, number> = Object.fromEntries(methods.map((m) => [m, 0]));
  let leverageInfo: Record<string, unknown> = {};
  const ck = ctx.checkpoint?.open<z.infer<typeof tableState>>({ version: 1, state: tableState });
  for (const row of ck?.restored?.state.rows ?? []) {
    perInstance.push(row);
    methods.forEach((m, mi) => row[m]?.forEach((v, k) => errs[mi]![k]!.push(v)));
  }
  if (ck?.restored) {
    Object.assign(seconds, ck.restored.state.seconds);
    leverageInfo = ck.restored.state.leverageInfo;
    ctx.log.info({ instancesDone: perInstance.length }, 'sketch-comparison: resuming after the instances done before the restart');
  }

  for (let inst = perInstance.length; inst < job.instances; inst++) {
    // Stopped (Ctrl-C, a master shutting down): the table of the instances done.
    if (ctx.signal?.aborted) break;
    const dataSpec = job.data.synthetic ? { data: { synthetic: { ...job.data.synthetic, seed: job.data.synthetic.seed + inst } } } : job;
    const { A, b } = await (await ctx.cluster.compute()).leastSquaresProblem(dataSpec);
    const N = A.rows;
    const d = A.cols;
    const K = job.blocks ?? scheme.defaultBlocks(live.length);
    if (N % K !== 0) throw new InputError(`sketch-comparison: ${N} rows do not split into ${K} equal blocks`);
    const tau = N / K;
    const blockStarts = evenBlockStarts(N, K);
    // The direct solve, AᵀA's top eigenvalue and the leverage scores on the master's LAPACK thread.
    const la = await ctx.cluster.linalg();
    const xStar = await directLeastSquares(la, A, b);
    const xiCross = 2 / (await largestEigenvalue(la, (await la.gram(A)).data, d));
    const steps = job.stepFactors.map((f) => f * xiCross);
    const rng = new Rng(job.seed * 1000 + inst);
    const runtime = delayAnswerTimes(job.chaos.delay);
    const plan = scheme.plan({
      workers: live.length,
      blocks: K,
      blockRows: blockStarts.slice(1).map((e, j) => e - blockStarts[j]!),
      rng: rng.fork(1),
      data: await planDataFor(la, scheme, A),
      ...(runtime ? { runtime } : {}),
    });
    const { q } = plan.describe();
    if (inst === 0) {
      const { leverageScores: _s, blockOfSlot: _b, replicas: _r, ...info } = plan.describe();
      leverageInfo = info;
    }
    // x⁽⁰⁾ = 0: an error above this one means the run moved away from x*.
    const start = Math.log10(norm2(xStar) / Math.sqrt(N));
    const row: InstanceRow = { instance: inst, xiCross, start };
    for (const [mi, method] of methods.entries()) {
      const t0 = performance.now();
      let oracle: AsyncGradientOracle;
      let release: (() => Promise<void>) | undefined;
      if (method === 'sd') oracle = exactGradientOracle(A, b);
      else if (method === 'gaussian') oracle = gaussianGradientOracle(A, b, q * tau, rng.fork(2));
      else if (method === 'block-srht') oracle = blockSrhtGradientOracle(A, b, tau, q, rng.fork(3));
      else if (job.arrivals === 'simulated') oracle = simulatedLeverageOracle(plan, A, b, blockStarts, rng.fork(4));
      else {
        await ctx.cluster.setChaos(job.chaos);
        const placed = await ctx.cluster.place(`${ctx.cluster.id}-${inst}`, plan, { A, b, blockStarts }, { workers: live });
        oracle = clusterLeverageOracle(ctx.cluster, placed);
        release = () => ctx.cluster.release(placed);
      }
      let finals: Float64Array[];
      try {
        finals = await fixedStepDescent(oracle, d, steps, job.iterations);
      } finally {
        await release?.();
      }
      const e = finals.map((x) => Math.log10(norm2(x.map((v, j) => v - xStar[j]!)) / Math.sqrt(N)));
      e.forEach((v, k) => errs[mi]![k]!.push(v));
      row[method] = e;
      seconds[method]! += (performance.now() - t0) / 1000;
      ctx.log.info({ instance: inst, method, errs: e }, 'sketch-comparison: method done');
    }
    perInstance.push(row);
    ck?.save(inst + 1, { rows: perInstance, seconds, leverageInfo }, []);
    ctx.onProgress?.({ round: inst + 1, maxRounds: job.instances, seconds: Object.values(seconds).reduce((a, v) => a + v, 0), residual: 0, stragglers: 0 });
  }

  const title =
    `Average log residual error log10(‖x* − x̂‖₂/√N), ${job.instances} instances × ${job.iterations} iterations ` +
    `(ξ× = 2/σmax(A)², gradient 2Aᵀ(Ax − b); block-lvg arrivals: ${job.arrivals})`;
  const labels = methods.map((m) => LABEL[m]!);
  const mean = errs.map((bySteps) => bySteps.map((v) => v.reduce((a, x) => a + x, 0) / v.length));
  const median = errs.map((bySteps) => bySteps.map(medianOf));
  const diverged = errs.map((bySteps) => bySteps.map((v) => v.filter((x, i) => !(x <= perInstance[i]!.start)).length));
  const table = [
    formatTable(labels, job.stepFactors, mean, title),
    formatTable(labels, job.stepFactors, median, 'Median over instances'),
    formatTable(labels, job.stepFactors, diverged, `Instances (of ${job.instances}) that ended farther from x* than x = 0`),
  ].join('\n\n');
  const result = {
    job: job.job,
    data: job.data,
    instances: job.instances,
    iterations: job.iterations,
    stepFactors: job.stepFactors,
    arrivals: job.arrivals,
    leverage: { ...scheme.params, ...leverageInfo },
    table: Object.fromEntries(methods.map((m, i) => [m, { mean: mean[i], median: median[i], diverged: diverged[i] }])),
    secondsPerMethod: seconds,
    perInstance,
  };
  return { result, tensors: {}, summary: table };
}

function medianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** result.json of a sketch-comparison job (its type is the runner's). */
export type SketchComparisonResult = Awaited<ReturnType<typeof runSketchComparison>>['result'];
