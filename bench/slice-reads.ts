import { performance } from 'node:perf_hooks';
import { startLocalCluster } from '../launcher';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, RequestStream, tokenMetadata, unaryCall, type pb } from '../shared/wire';
import { clusterCpuSeconds } from './proc-cpu';
import { recordBench, runMain } from './report';
import { median } from './stats';

/**
 * One read of a slice of the sharded parameter store (what an AsyncEigenPro loop does G − 1 times
 * an iteration), from this process to a real worker process: a unary ReadSlice call (the bare
 * @grpc/grpc-js baseline) against a request on the long-lived ReadSlices stream the loops use.
 * Wall µs and CPU µs (this process and the worker together) per read; medians over REPS runs of
 * READS reads each, interleaved.
 *
 *   npm run build && node dist/bench/slice-reads.js      (REPS=5 READS=2000 LEN=1250 by default)
 */
const REPS = Number(process.env.REPS ?? 5);
const READS = Number(process.env.READS ?? 2000);
const LEN = Number(process.env.LEN ?? 1250);

export async function benchSliceReads(opts: { reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? REPS;
  const lc = await startLocalCluster({ workers: 1, stderr: 'ignore' });
  const worker = lc.master.cluster.liveWorkers()[0]!;
  const address = lc.master.registry.get(worker)!.address;
  const client = new (loadProtos().worker.coda.v1.Worker)(address, channelCredentials(undefined), CHANNEL_OPTIONS);
  const vec = await lc.master.cluster.shards.create('bench-slices', 'alpha', [{ start: 0, end: LEN, worker }]);
  const key = { jobId: 'bench-slices', name: 'alpha', slice: 0 };
  const md = tokenMetadata(undefined);
  const stream = new RequestStream<pb.ReadSliceRequest, pb.ReadSliceReply__Output>(() => client.readSlices(md), 'bench');
  const pids = lc.workers.map((w) => w.pid);
  const ways: Record<string, () => Promise<unknown>> = {
    unary: () => unaryCall<pb.ReadSliceRequest, pb.ReadSliceReply__Output>(client.readSlice.bind(client), { key }, md, 10_000, 'bench'),
    stream: () => stream.request({ key }),
  };
  const runs: Record<string, { wallUs: number[]; cpuUs: number[] }> = { unary: { wallUs: [], cpuUs: [] }, stream: { wallUs: [], cpuUs: [] } };
  try {
    for (const read of Object.values(ways)) for (let i = 0; i < 200; i++) await read();
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, read] of Object.entries(ways)) {
        const cpu0 = clusterCpuSeconds(pids);
        const t0 = performance.now();
        for (let i = 0; i < READS; i++) await read();
        runs[name]!.wallUs.push(((performance.now() - t0) * 1000) / READS);
        runs[name]!.cpuUs.push(((clusterCpuSeconds(pids) - cpu0) * 1e6) / READS);
      }
    }
  } finally {
    stream.close();
    await vec.drop();
    client.close();
    await lc.stop();
  }
  const row = (name: string): Record<string, string> => {
    const r = runs[name]!;
    const f = (xs: number[]): string => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    return { read: name, 'wall µs': f(r.wallUs), 'CPU µs (both ends)': f(r.cpuUs) };
  };
  const ratio = median(runs.unary!.cpuUs) / median(runs.stream!.cpuUs);
  console.log(`\nOne slice read (${LEN} values) from a worker process, medians of ${reps} × ${READS} reads (min–max):`);
  console.table([row('unary'), row('stream')]);
  console.log(`CPU per read, unary / stream: ${ratio.toFixed(1)}`);
  return { len: LEN, reads: READS, reps, runs, cpuRatio: ratio };
}

if (require.main === module) runMain(() => recordBench('slice-reads', { repeats: REPS }, () => benchSliceReads()));
