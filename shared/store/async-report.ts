import { LATENCY_BINS } from './latency-histogram';

/**
 * What one leg of a worker's AsyncEigenPro loop reports to the master, and its wire layout (the
 * task's answer is a flat float64 vector): written by worker/async-loop.ts, read by
 * algorithms/eigenpro/async.ts. Counts add over legs; means are weighted by updates.
 */
export interface AsyncLegReport {
  /** Updates (writes of the own slice) in this leg. */
  updates: number;
  /** Mean and max τ over the leg's updates whose τ is known (see `tauKnown`). */
  tauMean: number;
  tauMax: number;
  /** Median τ of the last 32 updates (what the staleness-aware step used last). */
  tauMedianRecent: number;
  meanStep: number;
  seconds: number;
  /** Of `seconds`: waiting for reads of α (gathering every owner's slice), and computing steps. */
  readSeconds: number;
  computeSeconds: number;
  /** Mean over updates of the batch's squared residual / m (a free training-loss estimate). */
  meanBatchMse: number;
  injectedDelaySeconds: number;
  /** Reads of α that fed an update. */
  reads: number;
  /** Reads whose consistency could be decided (the owners still had the write history). */
  readsClassified: number;
  /** Reads that match no single instant of α: some slice was already overwritten when another slice's returned version was written. */
  readsMixed: number;
  /** Reads during which some slice was overwritten between its copy and the read's last copy (a superset of mixed). */
  readsOverlapped: number;
  /** Reads in which some other owner's slice was copied while its owner was writing it (a write overlapped the copy). */
  readsTorn: number;
  /** Reads in which some slice came back half written: its elements of more than one version (a subset of torn and of mixed). */
  readsElementMixed: number;
  /** Times a slice came back with a lower version than this worker had read before (must stay 0). */
  versionRegressions: number;
  /** Updates whose τ is known (the rest: history lost, or the leg ended first). */
  tauKnown: number;
  /** Σ over the leg's updates of Σ_i Δ_i: with the slice's value before the leg, a checksum of the slice after it. */
  deltaSum: number;
  /** The own slice's version after the leg (the store: master, the slice's version there). */
  sliceVersion: number;
  /** tauHistogram[t] = updates with τ = t, t < TAU_BINS − 1; the last bin counts τ ≥ TAU_BINS − 1. */
  tauHistogram: number[];
  /** How long each read of α took (every owner's slice gathered), in LATENCY_BINS layout. */
  readLatencyHistogram: number[];
}

/** Exact τ bins (0 … 254, then one bin for 255 and above). */
export const TAU_BINS = 256;

const SCALARS = [
  'updates',
  'tauMean',
  'tauMax',
  'tauMedianRecent',
  'meanStep',
  'seconds',
  'readSeconds',
  'computeSeconds',
  'meanBatchMse',
  'injectedDelaySeconds',
  'reads',
  'readsClassified',
  'readsMixed',
  'readsOverlapped',
  'readsTorn',
  'readsElementMixed',
  'versionRegressions',
  'tauKnown',
  'deltaSum',
  'sliceVersion',
] as const satisfies readonly (keyof AsyncLegReport)[];

/** Values in one worker's answer. */
export const ASYNC_REPORT_LENGTH = SCALARS.length + TAU_BINS + LATENCY_BINS;

export function encodeAsyncReport(r: AsyncLegReport): Float64Array {
  if (r.tauHistogram.length !== TAU_BINS) throw new Error(`async report: τ histogram has ${r.tauHistogram.length} bins, need ${TAU_BINS}`);
  if (r.readLatencyHistogram.length !== LATENCY_BINS) throw new Error(`async report: read-latency histogram has ${r.readLatencyHistogram.length} bins, need ${LATENCY_BINS}`);
  const out = new Float64Array(ASYNC_REPORT_LENGTH);
  SCALARS.forEach((k, i) => (out[i] = r[k]));
  out.set(r.tauHistogram, SCALARS.length);
  out.set(r.readLatencyHistogram, SCALARS.length + TAU_BINS);
  return out;
}

export function decodeAsyncReport(v: Float64Array): AsyncLegReport {
  if (v.length !== ASYNC_REPORT_LENGTH) throw new Error(`async report: ${v.length} values, need ${ASYNC_REPORT_LENGTH}`);
  const r = {
    tauHistogram: Array.from(v.subarray(SCALARS.length, SCALARS.length + TAU_BINS)),
    readLatencyHistogram: Array.from(v.subarray(SCALARS.length + TAU_BINS)),
  } as AsyncLegReport;
  SCALARS.forEach((k, i) => (r[k] = v[i]!));
  return r;
}

/** The τ at quantile p (0..1) of a histogram in TAU_BINS layout (the overflow bin counts as its lower edge). */
export function histogramQuantile(hist: readonly number[], p: number): number {
  const total = hist.reduce((s, c) => s + c, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let t = 0; t < hist.length; t++) {
    seen += hist[t]!;
    if (seen >= rank) return t;
  }
  return hist.length - 1;
}
