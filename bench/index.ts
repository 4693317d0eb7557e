import { InputError } from '../shared/errors';
import { benchAdaptiveOracle, printAdaptiveOracle } from './adaptive-oracle';
import { benchDask, printDask } from './dask';
import { benchEigenpro } from './eigenpro';
import { benchInverse } from './inverse';
import { benchKernels } from './kernels';
import { benchLapack } from './lapack';
import { benchLogistic, printLogisticBench } from './logistic';
import { benchPlacement, printPlacement } from './placement';
import { benchProductCode } from './product-code';
import { argValue, recordBench, runMain } from './report';
import { benchRoundOverhead, printRoundOverhead } from './round-overhead';
import { benchScale, printScale } from './scale';
import { benchServices } from './services';
import { benchSleeps, printSleeps } from './sleeps';
import { benchSliceReads } from './slice-reads';
import { benchSoak, printSoak } from './soak';
import { benchUpload, printUpload } from './upload';

/**
 * `npm run bench [-- name ... [--repeats N] [--out file.json] [bench flags]]`: benchmarks, not
 * tests. Each prints a header (machine, Node, commit, date, repeats, load average), reports
 * medians over its repeats with min–max and ratios against an anchor measured in the same run,
 * and writes `{ header, result }` to out/bench/<name>.json (or --out, with one bench).
 * docs/benchmarks.md describes each: what it measures, its anchor, its command, its run time.
 */
interface Bench {
  /** Repeats behind each median by default; `--repeats` overrides (fewer: a smoke run). */
  repeats: number;
  /** Why a bench runs fewer than 5 repeats by default. */
  repeatsNote?: string;
  run(o: { repeats: number; args: readonly string[] }): Promise<unknown>;
}

const flag = (args: readonly string[], name: string): boolean => args.includes(`--${name}`);
const num = (args: readonly string[], name: string): number | undefined => {
  const v = argValue(name, args);
  return v === undefined ? undefined : Number(v);
};
const list = (args: readonly string[], name: string): string[] | undefined => argValue(name, args)?.split(',');
/** `--name value` where value must be one of `options`; a bad one is refused, not ignored. */
function choice<T extends string>(args: readonly string[], name: string, options: readonly T[]): T | undefined {
  const v = argValue(name, args);
  if (v === undefined) return undefined;
  if (!(options as readonly string[]).includes(v)) throw new InputError(`--${name} must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

const BENCHES: Record<string, Bench> = {
  adaptive: {
    repeats: 5,
    run: async ({ repeats, args }) => {
      const grid = choice(args, 'grid', ['exact', 'full'] as const);
      return printAdaptiveOracle(
        await benchAdaptiveOracle({
          repeats,
          ...(num(args, 'workers') !== undefined ? { workers: num(args, 'workers')! } : {}),
          ...(list(args, 'conditions') ? { conditions: list(args, 'conditions')! } : {}),
          ...(list(args, 'lengths') ? { lengths: list(args, 'lengths')! } : {}),
          ...(list(args, 'variants') ? { variants: list(args, 'variants')! } : {}),
          ...(grid ? { grid } : {}),
          ...(num(args, 'short-rounds') !== undefined ? { shortRounds: num(args, 'short-rounds')! } : {}),
          ...(num(args, 'long-rounds') !== undefined ? { longRounds: num(args, 'long-rounds')! } : {}),
        }),
      );
    },
  },
  dask: {
    repeats: 5,
    run: async ({ repeats, args }) => {
      const task = choice(args, 'dask-task', ['thread', 'async'] as const);
      const cancel = choice(args, 'dask-cancel', ['release', 'cancel'] as const);
      const firstQ = choice(args, 'dask-first-q', ['results', 'gather'] as const);
      const r = await benchDask({
        repeats,
        ...(num(args, 'rounds') !== undefined ? { rounds: num(args, 'rounds')! } : {}),
        ...(flag(args, 'no-line-search') ? { lineSearch: false } : {}),
        ...(list(args, 'layouts') ? { layouts: list(args, 'layouts')! } : {}),
        ...(num(args, 'warmup') !== undefined ? { warmup: num(args, 'warmup')! } : {}),
        ...(task ? { daskTask: task } : {}),
        ...(cancel ? { daskCancel: cancel } : {}),
        ...(flag(args, 'dask-direct') ? { daskDirect: true } : {}),
        ...(firstQ ? { daskFirstQ: firstQ } : {}),
      });
      printDask(r);
      return r;
    },
  },
  scale: {
    repeats: 5,
    run: async ({ repeats, args }) => {
      const r = await benchScale({
        repeats,
        ...(num(args, 'workers') !== undefined ? { workers: num(args, 'workers')! } : {}),
        ...(list(args, 'sizes') ? { sizes: list(args, 'sizes')!.map(Number) } : {}),
        ...(num(args, 'rounds') !== undefined ? { rounds: num(args, 'rounds')! } : {}),
        ...(num(args, 'idle-after') !== undefined ? { idleAfterSeconds: num(args, 'idle-after')! } : {}),
        ...(num(args, 'idle-windows') !== undefined ? { idleWindows: num(args, 'idle-windows')! } : {}),
        ...(num(args, 'idle-window') !== undefined ? { idleWindowSeconds: num(args, 'idle-window')! } : {}),
      });
      printScale(r);
      return r;
    },
  },
  'round-overhead': {
    repeats: 5,
    run: async ({ repeats, args }) => {
      const r = await benchRoundOverhead({
        repeats,
        ...(list(args, 'sizes') ? { sizes: list(args, 'sizes')!.map(Number) } : {}),
        ...(num(args, 'rounds') !== undefined ? { rounds: num(args, 'rounds')! } : {}),
      });
      printRoundOverhead(r);
      return r;
    },
  },
  kernels: { repeats: 5, run: ({ repeats }) => benchKernels(repeats) },
  'product-code': { repeats: 5, run: ({ repeats, args }) => benchProductCode(repeats, num(args, 'rounds') ?? 100) },
  lapack: { repeats: 5, run: ({ repeats }) => benchLapack(repeats) },
  placement: {
    repeats: 5,
    run: async ({ repeats }) => {
      const r = await benchPlacement(64, repeats);
      printPlacement(r);
      return r;
    },
  },
  upload: {
    repeats: 5,
    run: async ({ repeats }) => {
      const r = await benchUpload(64, repeats);
      printUpload(r);
      return r;
    },
  },
  logistic: {
    repeats: 5,
    run: async ({ repeats }) => printLogisticBench(await benchLogistic({ seeds: repeats })),
  },
  inverse: { repeats: 5, run: ({ repeats }) => benchInverse({ reps: repeats }) },
  eigenpro: { repeats: 5, run: ({ repeats }) => benchEigenpro({ reps: repeats }) },
  'slice-reads': { repeats: 5, run: ({ repeats }) => benchSliceReads({ reps: repeats }) },
  services: {
    repeats: 5,
    repeatsNote: 'its repeats are set inside (ROUNDS idle rounds, REPS long tasks, in each mode)',
    run: () => benchServices(),
  },
  sleeps: {
    repeats: 5,
    run: async ({ repeats, args }) => {
      const r = await benchSleeps({ repeats, ...(num(args, 'sleeps') !== undefined ? { sleeps: num(args, 'sleeps')! } : {}) });
      printSleeps(r);
      return r;
    },
  },
  soak: {
    repeats: 1,
    repeatsNote: 'one run of 100,000 rounds (about 3 minutes): the figure is growth within one long run, its RSS sampled every second',
    run: async () => {
      const r = await benchSoak();
      printSoak(r);
      return r;
    },
  },
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // Names first, then flags.
  const firstFlag = argv.findIndex((a) => a.startsWith('--'));
  const wanted = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
  const args = firstFlag < 0 ? [] : argv.slice(firstFlag);
  const names = wanted.length > 0 && !(wanted.length === 1 && wanted[0] === 'all') ? wanted : Object.keys(BENCHES);
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length) {
    console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${Object.keys(BENCHES).join(', ')}, or all)`);
    process.exitCode = 2;
    return;
  }
  const repeats = num(args, 'repeats');
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) {
    console.error(`--repeats must be a positive integer, got ${argValue('repeats', args)}`);
    process.exitCode = 2;
    return;
  }
  const out = argValue('out', args);
  if (out && names.length > 1) {
    console.error('--out names one file: give it with one benchmark');
    process.exitCode = 2;
    return;
  }
  for (const n of names) {
    const bench = BENCHES[n]!;
    const r = repeats ?? bench.repeats;
    const note = repeats !== undefined && repeats < 5 ? 'a smoke run (fewer than 5 repeats): not figures to report' : repeats === undefined ? bench.repeatsNote : undefined;
    await recordBench(n, { repeats: r, ...(note ? { repeatsNote: note } : {}), ...(out ? { out } : {}) }, () => bench.run({ repeats: r, args }));
  }
}

if (require.main === module) runMain(main);
