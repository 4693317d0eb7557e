import { performance } from 'node:perf_hooks';
import { encodeAsyncReport, LATENCY_BINS, latencyBin } from '../shared/store';
import type { pb } from '../shared/wire';
import type { AlphaSource } from './alpha-sources';
import type { LoopHandle } from './compute';
import type { KindResult } from './task-kinds';

/**
 * AsyncEigenPro on one worker (Algorithm 1, lines 10-14): read α̂ (from every slice's owner, no
 * lock: the read may mix versions), step on a batch of the own slice with the own preconditioner
 * (eq. 9-11) on the compute thread, write the own slice. The loop runs here, on the event loop,
 * because it talks (reads from the other owners, the master's store); the step and the write run
 * on the service's compute thread, so this loop goes on serving the other workers' reads of the own
 * slice while its step computes and while its write lands, element by element. No barrier with
 * the other workers. Stops when the read saw `max_total_updates` updates in all (the sum of the
 * slices' versions), after `time_limit_seconds`, or when the master cancels the task.
 *
 * Automatic step (staleness-aware): stalenessStep at τ̂ = max(expected, median of the last 32
 * observed τ); the median ignores the rare very stale write of a worker that just woke from an
 * injected delay. The answer is shared/store's AsyncLegReport, with the read latencies.
 */
export async function runAsyncEigenpro(
  loop: LoopHandle,
  t: NonNullable<pb.TaskRequest__Output['eigenproAsync']>,
  src: AlphaSource,
  signal: AbortSignal | undefined,
  nextDelay: () => number,
  sleep: (seconds: number) => Promise<boolean>,
): Promise<KindResult> {
  const maxTotal = Number(t.maxTotalUpdates);
  const t0 = performance.now();
  const ledger = src.ledger;
  const latency = new Array<number>(LATENCY_BINS).fill(0);
  let updates = 0;
  let stepSum = 0;
  let sqSum = 0;
  let delaySum = 0;
  let deltaSum = 0;
  let readMs = 0;
  let computeSeconds = 0;
  // The channels to the owners open here, so that no timed read pays for them (the leg's seconds do).
  await src.connect();
  for (;;) {
    if (signal?.aborted) break;
    if ((performance.now() - t0) / 1000 > t.timeLimitSeconds) break;
    const tRead = performance.now();
    const r = await src.read(loop.alpha);
    const ms = performance.now() - tRead;
    readMs += ms;
    latency[latencyBin(ms * 1000)]!++;
    if (r.updatesSeen >= maxTotal) break;
    const tauHat = Math.max(t.expectedStaleness, ledger.medianRecent());
    // The paper's delay model: this iteration's gradient computation is slow with probability p.
    // Without a delay the step writes the own slice as soon as it is computed (one message).
    const delay = nextDelay();
    const s = await loop.step(t.step, tauHat, src.writesInPlace && !(delay > 0));
    computeSeconds += s.computeSeconds;
    if (delay > 0) {
      delaySum += delay;
      await sleep(delay);
    }
    if (s.wrote) src.wrote(s.wrote);
    else await src.write(loop);
    updates++;
    stepSum += s.step;
    sqSum += s.batchSquaredResidual / loop.batch;
    deltaSum += s.deltaSum;
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
    computeSeconds,
    meanBatchMse: updates ? sqSum / updates : 0,
    injectedDelaySeconds: delaySum,
    reads: ledger.reads,
    readsClassified: ledger.classified,
    readsMixed: ledger.mixed,
    readsOverlapped: ledger.overlapped,
    readsTorn: ledger.torn,
    readsElementMixed: ledger.elementMixed,
    versionRegressions: ledger.versionRegressions,
    tauKnown: ledger.tauKnown,
    deltaSum,
    sliceVersion: src.ownVersion(),
    tauHistogram: ledger.tauHistogram,
    readLatencyHistogram: latency,
  });
  return { shape: [values.length], values };
}
