import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { availableCpus } from '../shared/kernels';
import { setLogLevel } from '../shared/log';
import { writeFileAtomic } from '../shared/fs';
import { median } from './stats';

/**
 * What every benchmark prints and records beside its figures, so a figure can be traced to the
 * machine, the code and the load it ran under: the machine (cores, model, memory), Node, the
 * commit (and whether the tree had uncommitted changes), the date, the command, the repeats, and
 * the load average at the start, at the end and sampled every few seconds in between.
 *
 *   const rec = BenchRecorder.start('dask', { repeats: 5 });   // prints the header
 *   ... the benchmark ...
 *   rec.finish(result);                                         // prints the footer, writes out/bench/dask.json
 */

const ROOT = resolve(__dirname, '..', '..');
/** Seconds between two samples of the load average while a benchmark runs. */
const LOAD_SAMPLE_SECONDS = 5;

/** A median with the range it summarizes. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new RangeError('spread of no values');
  return { median: median([...xs]), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** `3.90 (3.71–4.12)`; '—' for nothing. */
export function fmtSpread(s: Spread | null | undefined, digits = 2, suffix = ''): string {
  if (!s) return '—';
  return `${s.median.toFixed(digits)}${suffix} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** The load average now: 1, 5 and 15 minutes. */
export function loadNow(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [a!, b!, c!];
}

export interface MachineInfo {
  /** Cores this process may use (cgroup quota and affinity), and the cores the kernel lists. */
  cpus: number;
  onlineCpus: number;
  model: string;
  memoryGiB: number;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: availableCpus(),
    onlineCpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The commit the benchmark ran from, and whether tracked files differed from it. */
export function commitInfo(): { commit: string; dirty: boolean | null } {
  const git = (args: string[]): string | undefined => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const commit = git(['rev-parse', '--short', 'HEAD']);
  if (!commit) return { commit: 'unknown (not a git checkout)', dirty: null };
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status === undefined ? null : status.length > 0 };
}

export interface BenchHeader {
  bench: string;
  /** How it was started, from the repository's root. */
  command: string;
  started: string;
  finished?: string;
  wallSeconds?: number;
  machine: MachineInfo;
  node: string;
  commit: string;
  dirty: boolean | null;
  /** Repeats behind each median (a bench that cannot afford 5 says why in `repeatsNote`). */
  repeats: number;
  repeatsNote?: string;
  /** 1-minute load average at the start and end, and its samples every LOAD_SAMPLE_SECONDS. */
  load: { start: [number, number, number]; end?: [number, number, number]; during?: Spread };
}

function commandLine(): string {
  const [, script, ...args] = process.argv;
  const rel = script ? relative(ROOT, script) : '';
  return ['node', rel, ...args].join(' ');
}

/** The load in one phrase: `load average 1.52 → 1.70 (1.4–2.1 during)`. */
export function describeLoad(load: BenchHeader['load']): string {
  const during = load.during ? ` (${load.during.min.toFixed(1)}–${load.during.max.toFixed(1)} during, median ${load.during.median.toFixed(1)})` : '';
  return `load average ${load.start[0].toFixed(2)}${load.end ? ` → ${load.end[0].toFixed(2)}` : ''}${during}`;
}

export function describeHeader(h: BenchHeader): string {
  const m = h.machine;
  return [
    `== bench ${h.bench}: ${h.command}`,
    `   ${m.cpus} cpus (${m.onlineCpus} online) ${m.model}, ${m.memoryGiB} GiB; Node ${h.node}; commit ${h.commit}${h.dirty ? ' (uncommitted changes)' : ''}; ${h.started}`,
    `   repeats ${h.repeats}${h.repeatsNote ? `: ${h.repeatsNote}` : ''}; ${describeLoad(h.load)}`,
  ].join('\n');
}

/**
 * One benchmark run's record: the header at the start, the load sampled while it runs, and at
 * the end the footer and the JSON file ({ header, result }).
 */
export class BenchRecorder {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();

  private constructor(readonly header: BenchHeader) {
    this.samples.push(header.load.start[0]);
    this.timer = setInterval(() => this.samples.push(loadavg()[0]!), LOAD_SAMPLE_SECONDS * 1000);
    this.timer.unref();
  }

  static start(bench: string, opts: { repeats: number; repeatsNote?: string; quiet?: boolean }): BenchRecorder {
    const header: BenchHeader = {
      bench,
      command: commandLine(),
      started: new Date().toISOString(),
      machine: machineInfo(),
      node: process.version,
      ...commitInfo(),
      repeats: opts.repeats,
      ...(opts.repeatsNote ? { repeatsNote: opts.repeatsNote } : {}),
      load: { start: loadNow() },
    };
    if (!opts.quiet) console.log(describeHeader(header));
    return new BenchRecorder(header);
  }

  /** Stops sampling, prints the footer and writes `{ header, result }` to `out` (default out/bench/<bench>.json). */
  finish(result: unknown, out = join('out', 'bench', `${this.header.bench}.json`)): BenchHeader {
    clearInterval(this.timer);
    const end = loadNow();
    this.samples.push(end[0]);
    const header: BenchHeader = {
      ...this.header,
      finished: new Date().toISOString(),
      wallSeconds: (performance.now() - this.t0) / 1000,
      load: { ...this.header.load, end, during: spread(this.samples) },
    };
    writeFileAtomic(out, JSON.stringify({ header, result }, null, 2) + '\n');
    console.log(`== bench ${header.bench} done in ${header.wallSeconds!.toFixed(0)} s; ${describeLoad(header.load)}; commit ${header.commit}${header.dirty ? ' (uncommitted changes)' : ''}; written to ${out}`);
    return header;
  }
}

/**
 * Runs a benchmark under a recorder: the entry point of each bench file run on its own
 * (`node dist/bench/<name>.js`) and of `npm run bench -- <name>`.
 */
export async function recordBench<T>(bench: string, opts: { repeats: number; repeatsNote?: string; out?: string }, run: () => Promise<T>): Promise<T> {
  const rec = BenchRecorder.start(bench, opts);
  const result = await run();
  rec.finish(result, opts.out);
  return result;
}

/** `--name value` from argv, or undefined. */
export function argValue(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Runs a bench's main (index.ts, or a bench file run on its own); failures set the exit code. */
export function runMain(main: () => Promise<unknown>): void {
  // Benchmarks print tables; the master's info lines (hundreds of joins) would drown them.
  setLogLevel(process.env.CODA_LOG_LEVEL ?? 'warn');
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
