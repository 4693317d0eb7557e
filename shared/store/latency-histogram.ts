/**
 * A latency histogram with a fixed layout, so workers can send theirs as plain numbers and the
 * master can add them up: 20 bins a decade from 1 µs, bin k counting latencies in
 * [10^(k/20), 10^((k+1)/20)) µs (12 % wide); bin 0 also takes everything below 1 µs and the last
 * bin everything from 100 s up.
 */
export const LATENCY_BINS_PER_DECADE = 20;
export const LATENCY_BINS = 8 * LATENCY_BINS_PER_DECADE + 1;

/** The bin of a latency of `us` microseconds. */
export function latencyBin(us: number): number {
  if (!(us > 1)) return 0;
  return Math.min(LATENCY_BINS - 1, Math.floor(LATENCY_BINS_PER_DECADE * Math.log10(us)));
}

/** A bin's upper edge in µs (the last bin's: its lower edge). */
export function latencyBinUpperUs(bin: number): number {
  return 10 ** (Math.min(bin + 1, LATENCY_BINS - 1) / LATENCY_BINS_PER_DECADE);
}

/**
 * The latency (ms) at quantile p (0..1), rounded up to its bin's upper edge: at most 12 % above
 * the true quantile, never below it. 0 for an empty histogram.
 */
export function latencyQuantileMs(hist: readonly number[], p: number): number {
  const total = hist.reduce((s, c) => s + c, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b]!;
    if (seen >= rank) return latencyBinUpperUs(b) / 1000;
  }
  return latencyBinUpperUs(hist.length - 1) / 1000;
}
