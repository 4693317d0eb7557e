import { join } from 'node:path';
import { setLogLevel } from '../shared/log';
import { writeFileAtomic } from '../shared/tensor';
import { benchLogistic, printLogisticBench } from './logistic';
import { benchDask, printDask } from './dask';
import { benchEigenpro } from './eigenpro';
import { benchKernels } from './kernels';
import { benchLapack } from './lapack';
import { benchPlacement, printPlacement } from './placement';
import { benchProductCode } from './product-code';
import { benchRoundOverhead } from './round-overhead';
import { benchScale, printScale } from './scale';
import { benchSliceReads } from './slice-reads';
import { benchSoak, printSoak } from './soak';
import { benchUpload, printUpload } from './upload';

/**
 * `npm run bench [-- name ...]`: benchmarks, not tests. Each reports medians over repeated runs
 * and a ratio against a baseline measured in the same run; results also go to out/bench/*.json.
 */
const BENCHES: Record<string, () => Promise<unknown>> = {
  logistic: async () => printLogisticBench(await benchLogistic()),
  'round-overhead': async () => {
    const rows = await benchRoundOverhead();
    console.log('\nRound overhead: a round of no-op tasks, Coda task streams vs a bare @grpc/grpc-js unary fan-out (medians)');
    console.table(rows.map((r) => ({ workers: r.workers, 'coda ms': (r.codaMedianMs as number).toFixed(3), 'bare unary ms': (r.bareMedianMs as number).toFixed(3), ratio: (r.ratio as number).toFixed(2) })));
    return rows;
  },
  eigenpro: benchEigenpro,
  'slice-reads': benchSliceReads,
  dask: async () => {
    const r = await benchDask();
    printDask(r);
    return r;
  },
  scale: async () => {
    const r = await benchScale();
    printScale(r);
    return r;
  },
  kernels: benchKernels,
  'product-code': benchProductCode,
  lapack: benchLapack,
  placement: async () => {
    const r = await benchPlacement();
    printPlacement(r);
    return r;
  },
  upload: async () => {
    const r = await benchUpload();
    printUpload(r);
    return r;
  },
  soak: async () => {
    const r = await benchSoak();
    printSoak(r);
    return r;
  },
};

/** Other modules add their benchmarks here (one line each). */
export function registerBench(name: string, run: () => Promise<unknown>): void {
  BENCHES[name] = run;
}

async function main(): Promise<void> {
  // Benchmarks print tables; the master's info lines (hundreds of joins) would drown them.
  setLogLevel(process.env.CODA_LOG_LEVEL ?? 'warn');
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  for (const n of names) {
    const run = BENCHES[n];
    if (!run) {
      console.error(`unknown benchmark '${n}' (known: ${Object.keys(BENCHES).join(', ')})`);
      process.exitCode = 2;
      return;
    }
    const result = await run();
    writeFileAtomic(join('out', 'bench', `${n}.json`), JSON.stringify({ when: new Date().toISOString(), result }, null, 2) + '\n');
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
