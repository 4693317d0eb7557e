import { describe, expect, it } from 'vitest';
import { ASYNC_REPORT_LENGTH, decodeAsyncReport, encodeAsyncReport, histogramQuantile, LATENCY_BINS, latencyBin, latencyQuantileMs, TAU_BINS, type AsyncLegReport } from '../../../shared/store';
import { judgeRead, ReadLedger, type SliceCopy, type SliceFollowup } from '../../../worker/read-bookkeeping';
import { HISTORY, SliceStore, SliceVersionError, UnknownSliceError } from '../../../worker/slice-store';

const id = { jobId: 'j', name: 'alpha', slice: 1 };

describe('SliceStore: the slices a worker owns', () => {
  it('creates at a version, adds in place of the owner, and refuses writes that would go back', () => {
    const s = new SliceStore();
    s.put(id, 10, Float64Array.from([1, 2, 3]), 0);
    expect(s.add(id, Float64Array.from([1, 1, 1])).version).toBe(1);
    expect(s.add(id, Float64Array.from([0.5, 0, -3])).version).toBe(2);
    const r = s.read(id);
    expect(Array.from(r.values!)).toEqual([2.5, 3, 1]);
    expect(r.start).toBe(10);
    expect(r.version).toBe(2);
    // The copy is the reader's: changing it changes nothing here.
    r.values![0] = 99;
    expect(s.read(id).values![0]).toBe(2.5);
    expect(() => s.put(id, 10, new Float64Array(3), 2)).toThrow(SliceVersionError);
    expect(() => s.put(id, 10, new Float64Array(3), 1)).toThrow(SliceVersionError);
    expect(() => s.put(id, 11, new Float64Array(3), 5)).toThrow(/covers \[10, 13\)/);
    s.put(id, 10, Float64Array.from([7, 7, 7]), 5);
    expect(s.read(id).version).toBe(5);
    expect(s.add(id, new Float64Array(3)).version).toBe(6);
  });

  it('refuses non-finite values and leaves the slice as it was', () => {
    const s = new SliceStore();
    s.put(id, 0, Float64Array.from([1, 2]), 0);
    expect(() => s.add(id, Float64Array.from([0, Number.NaN]))).toThrow(/NaN at index 1/);
    expect(() => s.add(id, Float64Array.from([Infinity, 0]))).toThrow(/Infinity at index 0/);
    expect(() => s.add(id, new Float64Array(3))).toThrow(/has 2 values, the update 3/);
    const r = s.read(id);
    expect(Array.from(r.values!)).toEqual([1, 2]);
    expect(r.version).toBe(0);
  });

  it('names an unknown slice; drops a job or one vector', () => {
    const s = new SliceStore();
    expect(() => s.read(id)).toThrow(UnknownSliceError);
    expect(() => s.add(id, new Float64Array(1))).toThrow(/holds no slice 1 of 'alpha' \(job j\)/);
    s.put({ jobId: 'j', name: 'alpha', slice: 0 }, 0, new Float64Array(2), 0);
    s.put({ jobId: 'j', name: 'beta', slice: 0 }, 0, new Float64Array(2), 0);
    s.put({ jobId: 'k', name: 'alpha', slice: 0 }, 0, new Float64Array(2), 0);
    expect(s.drop('j', 'alpha')).toBe(1);
    expect(s.drop('j')).toBe(1);
    expect(s.count()).toBe(1);
  });

  it('tells a reader when the version after its copy was written and how many came by a time', async () => {
    const s = new SliceStore();
    s.put(id, 0, new Float64Array(1), 0);
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setTimeout(r, 2));
      times.push(s.add(id, Float64Array.from([1])).writtenAtUs);
    }
    // Versions 1..5 written at times[0..4], increasing.
    for (let k = 1; k < times.length; k++) expect(times[k]!).toBeGreaterThan(times[k - 1]!);
    const after1 = s.read(id, { skipValues: true, previous: { version: 1, untilUs: times[2]! } });
    expect(after1.values).toBeNull();
    expect(after1.nextWrittenAtUs).toBe(times[1]);
    expect(after1.writesUntil).toBe(2); // versions 2 and 3
    expect(after1.historyComplete).toBe(true);
    expect(s.read(id, { previous: { version: 1, untilUs: times[0]! } }).writesUntil).toBe(0);
    expect(s.read(id, { previous: { version: 0, untilUs: times[4]! + 1 } }).writesUntil).toBe(5);
    const none = s.read(id, { previous: { version: 5, untilUs: times[4]! + 1 } });
    expect([none.nextWrittenAtUs, none.writesUntil, none.historyComplete]).toEqual([0, 0, true]);
  });

  it('says so when the versions a reader asks about have left the history', () => {
    const s = new SliceStore();
    s.put(id, 0, new Float64Array(1), 0);
    for (let k = 0; k < HISTORY + 10; k++) s.add(id, Float64Array.from([1]));
    expect(s.read(id, { previous: { version: 3, untilUs: Number.MAX_VALUE } }).historyComplete).toBe(false);
    const recent = s.read(id, { previous: { version: HISTORY + 5, untilUs: Number.MAX_VALUE } });
    expect(recent.historyComplete).toBe(true);
    expect(recent.writesUntil).toBe(5);
  });
});

describe('judgeRead: mixed, overlapped and τ from the owners\' write times', () => {
  // Reader owns slice 0. Times in µs.
  const copy = (version: number, writtenAtUs: number, servedAtUs: number): SliceCopy => ({ version, writtenAtUs, servedAtUs });
  const follow = (nextWrittenAtUs: number, writesUntil: number, complete = true): SliceFollowup => ({ nextWrittenAtUs, writesUntil, complete });

  it('a read that equals α at one instant is not mixed', () => {
    // Slice 1 copied at 100, overwritten at 150; slice 2 (version written at 90) copied at 200:
    // α at any instant in [100, 150) held both versions. Slice 1 changed during the read.
    const v = judgeRead([copy(3, 10, 20), copy(5, 50, 100), copy(2, 90, 200)], [follow(0, 0), follow(150, 1), follow(0, 0)], 0)!;
    expect(v).toEqual({ mixed: false, overlapped: true, tau: 1 });
  });

  it('a read holding a later write of one slice and missing an earlier one of another is mixed', () => {
    // Slice 1 copied at 100 (version 5), overwritten at 150; slice 2's returned version written at
    // 160, copied at 200: no instant had slice 1 at 5 and slice 2 at its version.
    const v = judgeRead([copy(3, 10, 20), copy(5, 50, 100), copy(2, 160, 200)], [follow(0, 0), follow(150, 2), follow(260, 1)], 0)!;
    expect(v.mixed).toBe(true);
    expect(v.overlapped).toBe(true);
    expect(v.tau).toBe(3);
  });

  it('ignores the reader\'s own slice, and gives no verdict without the history', () => {
    // The own slice's next write (the reader's) is its own update: not staleness, never mixing.
    expect(judgeRead([copy(3, 10, 20), copy(5, 50, 100)], [follow(30, 1), follow(0, 0)], 0)).toEqual({ mixed: false, overlapped: false, tau: 0 });
    expect(judgeRead([copy(3, 10, 20), copy(5, 50, 100)], [follow(0, 0), follow(0, 0, false)], 0)).toBeNull();
    expect(judgeRead([copy(3, 10, 20), copy(5, 50, 100)], [follow(0, 0, false), follow(0, 0)], 0)).not.toBeNull();
  });

  it('ledger: exact τ histogram, counts, recent median', () => {
    const l = new ReadLedger();
    for (const t of [7, 7, 1, 300]) l.judged({ mixed: t === 1, overlapped: t !== 7, tau: t });
    l.judged(null);
    expect([l.classified, l.mixed, l.overlapped, l.tauKnown, l.tauMax]).toEqual([4, 1, 2, 4, 300]);
    expect(l.tauHistogram[7]).toBe(2);
    expect(l.tauHistogram[1]).toBe(1);
    expect(l.tauHistogram[TAU_BINS - 1]).toBe(1);
    expect(l.medianRecent()).toBe(7);
    expect(l.tauMean()).toBeCloseTo(315 / 4, 12);
  });
});

describe('the async loop report', () => {
  it('round-trips and gives quantiles of the τ histogram', () => {
    const hist = new Array<number>(TAU_BINS).fill(0);
    hist[2] = 5;
    hist[6] = 4;
    hist[9] = 1;
    const latency = new Array<number>(LATENCY_BINS).fill(0);
    latency[latencyBin(150)] = 98; // 150 µs
    latency[latencyBin(4000)] = 2; // 4 ms
    const r: AsyncLegReport = {
      updates: 10,
      tauMean: 4.5,
      tauMax: 9,
      tauMedianRecent: 2,
      meanStep: 3,
      seconds: 1.5,
      readSeconds: 0.5,
      computeSeconds: 0.75,
      meanBatchMse: 0.1,
      injectedDelaySeconds: 0,
      reads: 10,
      readsClassified: 9,
      readsMixed: 2,
      readsOverlapped: 4,
      readsTorn: 3,
      readsElementMixed: 1,
      versionRegressions: 0,
      tauKnown: 10,
      deltaSum: -1.25,
      sliceVersion: 42,
      tauHistogram: hist,
      readLatencyHistogram: latency,
    };
    const v = encodeAsyncReport(r);
    expect(v.length).toBe(ASYNC_REPORT_LENGTH);
    expect(decodeAsyncReport(v)).toEqual(r);
    expect(histogramQuantile(hist, 0.5)).toBe(2);
    expect(histogramQuantile(hist, 0.51)).toBe(6);
    expect(histogramQuantile(hist, 0.9)).toBe(6);
    expect(histogramQuantile(hist, 1)).toBe(9);
    expect(histogramQuantile(new Array<number>(TAU_BINS).fill(0), 0.5)).toBe(0);
    // Latency quantiles: the bin's upper edge, at most 12 % above the latency, never below.
    const med = latencyQuantileMs(latency, 0.5);
    expect(med).toBeGreaterThanOrEqual(0.15);
    expect(med).toBeLessThan(0.15 * 1.13);
    expect(latencyQuantileMs(latency, 0.98)).toBe(med);
    const p99 = latencyQuantileMs(latency, 0.99);
    expect(p99).toBeGreaterThanOrEqual(4);
    expect(p99).toBeLessThan(4 * 1.13);
    expect(latencyQuantileMs(new Array<number>(LATENCY_BINS).fill(0), 0.5)).toBe(0);
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(1e12)).toBe(LATENCY_BINS - 1);
  });
});
