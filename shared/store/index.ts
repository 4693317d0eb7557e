/**
 * The sharded parameter store's pieces both roles need: the report an AsyncEigenPro loop sends
 * back per leg (worker writes it, master reads it).
 *
 *   const v = encodeAsyncReport(report);             // worker
 *   const r = decodeAsyncReport(answer);             // master
 *   const p90 = histogramQuantile(r.tauHistogram, 0.9);
 *   const p99ms = latencyQuantileMs(r.readLatencyHistogram, 0.99);
 */
export { TAU_BINS, ASYNC_REPORT_LENGTH, encodeAsyncReport, decodeAsyncReport, histogramQuantile, type AsyncLegReport } from './async-report';
export { LATENCY_BINS, latencyBin, latencyBinUpperUs, latencyQuantileMs } from './latency-histogram';
