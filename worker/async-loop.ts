import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../shared/errors';
import { lambdaNext, sampleBatch, sliceStep, stalenessStep, type SliceState } from '../shared/kernels';
import { Rng } from '../shared/random';
import { float64ToBytes } from '../shared/tensor';
import { tensorValues, tokenMetadata, type pb } from '../shared/wire';
import type { KindResult, MasterAccess } from './task-kinds/registry';

/**
 * AsyncEigenPro on one worker (Algorithm 1, lines 10-14): read α from the master's store (no
 * lock; the copy may mix slices mid-update), step on a batch of the own slice with the own
 * preconditioner (eq. 9-11), write the own slice. No barrier with the other workers.
 *
 * The own slice lives here after the first read: only this worker writes it, so the local copy
 * is always the store's value and a write sends the whole slice.
 *
 * Staleness τ of an update = writes by anyone between this worker's read and its write =
 * total_version(after write) − total_version(read) − 1. Automatic step: stalenessStep at
 * τ̂ = max(expected, median of the last 32 observed τ); the median ignores the rare very stale
 * write of a worker that just woke from an injected delay.
 */
export const TAU_HISTOGRAM_BINS = 16;

function unary<Req, Res>(fn: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void, req: Req, md: grpc.Metadata): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, md, { deadline: Date.now() + 10_000 }, (e, r) => (e || !r ? reject(new ClusterError(`parameter store: ${e?.details ?? e?.message ?? 'empty reply'}`)) : resolve(r)));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
}

export async function runAsyncEigenpro(
  st: SliceState,
  t: NonNullable<pb.TaskRequest__Output['eigenproAsync']>,
  master: MasterAccess,
  signal: AbortSignal | undefined,
  nextDelay: () => number,
): Promise<KindResult> {
  const md = tokenMetadata(master.token);
  const c = master.client;
  const read = (): Promise<pb.ReadParametersReply__Output> => unary(c.readParameters.bind(c), { name: t.parameter }, md);
  const write = (values: Float64Array): Promise<pb.WriteParametersReply__Output> =>
    unary(c.writeParameters.bind(c), { name: t.parameter, owner: t.owner, slice: { start: st.start, end: st.end }, values: { shape: [values.length], data: float64ToBytes(values) } }, md);

  const rng = new Rng(Number(t.seed));
  const m = Math.min(t.batchSize, st.end - st.start);
  const lam = lambdaNext(st);
  const maxTotal = Number(t.maxTotalUpdates);
  const t0 = performance.now();
  const own = new Float64Array(st.end - st.start);
  const Kb = new Float64Array(m * st.X.rows);
  const recent: number[] = [];
  const hist = new Float64Array(TAU_HISTOGRAM_BINS);
  let updates = 0;
  let tauSum = 0;
  let tauMax = 0;
  let stepSum = 0;
  let sqSum = 0;
  let delaySum = 0;
  for (;;) {
    if (signal?.aborted) break;
    if ((performance.now() - t0) / 1000 > t.timeLimitSeconds) break;
    const r = await read();
    const readVersion = Number(r.totalVersion);
    if (readVersion >= maxTotal) break;
    const alphaHat = tensorValues(r.values, 'ReadParameters.values');
    // The own slice: taken from the store once (a later leg resumes where the last one ended),
    // then kept here, where it is always current.
    if (updates === 0) own.set(alphaHat.subarray(st.start, st.end));
    else alphaHat.set(own, st.start);
    const tauHat = Math.max(t.expectedStaleness, median(recent));
    const step = t.step > 0 ? t.step : stalenessStep(m, tauHat, st.beta, lam);
    const batch = sampleBatch(rng, st.start, st.end, m);
    const { delta, batchSquaredResidual } = sliceStep(st, alphaHat, batch, step, 1 / m, Kb);
    // The paper's delay model: this iteration's gradient computation is slow with probability p.
    const delay = nextDelay();
    if (delay > 0) {
      delaySum += delay;
      await new Promise((res) => setTimeout(res, delay * 1000));
    }
    for (let i = 0; i < own.length; i++) own[i]! += delta[i]!;
    const w = await write(own);
    const tau = Math.max(0, Number(w.totalVersion) - readVersion - 1);
    updates++;
    tauSum += tau;
    tauMax = Math.max(tauMax, tau);
    hist[Math.min(TAU_HISTOGRAM_BINS - 1, Math.floor(Math.log2(tau + 1)))]!++;
    recent.push(tau);
    if (recent.length > 32) recent.shift();
    stepSum += step;
    sqSum += batchSquaredResidual / m;
  }
  const seconds = (performance.now() - t0) / 1000;
  // [updates, τ mean, τ max, τ median (last 32), mean step, seconds, mean batch MSE, injected delay s, τ histogram (log2 bins)]
  const head = [updates, updates ? tauSum / updates : 0, tauMax, median(recent), updates ? stepSum / updates : 0, seconds, updates ? sqSum / updates : 0, delaySum];
  const out = new Float64Array(head.length + TAU_HISTOGRAM_BINS);
  out.set(head);
  out.set(hist, head.length);
  return { shape: [out.length], values: out };
}
