import { performance } from 'node:perf_hooks';
import { lambdaNext, sampleBatch, sliceStep, stalenessStep, type SliceState } from '../shared/kernels';
import { Rng } from '../shared/random';
import { encodeAsyncReport } from '../shared/store';
import type { pb } from '../shared/wire';
import type { AlphaSource } from './alpha-sources';
import type { KindResult } from './task-kinds/registry';

/**
 * AsyncEigenPro on one worker (Algorithm 1, lines 10-14): read α̂ (from every slice's owner, no
 * lock: the read may mix versions), step on a batch of the own slice with the own preconditioner
 * (eq. 9-11), write the own slice. No barrier with the other workers. Stops when the read saw
 * `max_total_updates` updates in all (the sum of the slices' versions), after
 * `time_limit_seconds`, or when the master cancels the task.
 *
 * Automatic step (staleness-aware): stalenessStep at τ̂ = max(expected, median of the last 32
 * observed τ); the median ignores the rare very stale write of a worker that just woke from an
 * injected delay. The answer is shared/store's AsyncLegReport.
 */
export async function runAsyncEigenpro(
  st: SliceState,
  t: NonNullable<pb.TaskRequest__Output['eigenproAsync']>,
  src: AlphaSource,
  signal: AbortSignal | undefined,
  nextDelay: () => number,
  sleep: (seconds: number) => Promise<boolean>,
): Promise<KindResult> {
  const rng = new Rng(Number(t.seed));
  const m = Math.min(t.batchSize, st.end - st.start);
  const lam = lambdaNext(st);
  const maxTotal = Number(t.maxTotalUpdates);
  const t0 = performance.now();
  const Kb = new Float64Array(m * st.X.rows);
  const ledger = src.ledger;
  let updates = 0;
  let stepSum = 0;
  let sqSum = 0;
  let delaySum = 0;
  let deltaSum = 0;
  let readMs = 0;
  let computeMs = 0;
  for (;;) {
    if (signal?.aborted) break;
    if ((performance.now() - t0) / 1000 > t.timeLimitSeconds) break;
    const tRead = performance.now();
    const r = await src.read();
    const tStep = performance.now();
    readMs += tStep - tRead;
    if (r.updatesSeen >= maxTotal) break;
    const tauHat = Math.max(t.expectedStaleness, ledger.medianRecent());
    const step = t.step > 0 ? t.step : stalenessStep(m, tauHat, st.beta, lam);
    const batch = sampleBatch(rng, st.start, st.end, m);
    const { delta, batchSquaredResidual } = sliceStep(st, r.alpha, batch, step, 1 / m, Kb);
    computeMs += performance.now() - tStep;
    // The paper's delay model: this iteration's gradient computation is slow with probability p.
    const delay = nextDelay();
    if (delay > 0) {
      delaySum += delay;
      await sleep(delay);
    }
    await src.write(delta);
    updates++;
    stepSum += step;
    sqSum += batchSquaredResidual / m;
    for (let i = 0; i < delta.length; i++) deltaSum += delta[i]!;
  }
  if (!signal?.aborted) await src.finish();
  const values = encodeAsyncReport({
    updates,
    tauMean: ledger.tauMean(),
    tauMax: ledger.tauMax,
    tauMedianRecent: ledger.medianRecent(),
    meanStep: updates ? stepSum / updates : 0,
    seconds: (performance.now() - t0) / 1000,
    readSeconds: readMs / 1000,
    computeSeconds: computeMs / 1000,
    meanBatchMse: updates ? sqSum / updates : 0,
    injectedDelaySeconds: delaySum,
    reads: ledger.reads,
    readsClassified: ledger.classified,
    readsMixed: ledger.mixed,
    readsOverlapped: ledger.overlapped,
    versionRegressions: ledger.versionRegressions,
    tauKnown: ledger.tauKnown,
    deltaSum,
    sliceVersion: src.ownVersion(),
    tauHistogram: ledger.tauHistogram,
  });
  return { shape: [values.length], values };
}
