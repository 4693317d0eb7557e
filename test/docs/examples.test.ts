import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/run-process';
import { parse, stringify } from 'yaml';
import { writeNpy } from '../../shared/tensor';
import { staleDist } from '../helpers/dist-fresh';

/**
 * Every examples/*.yaml runs, so none rots: each through the CLI as a user runs it (`coda run`
 * for a job file, `coda experiment` for an experiment file), shortened by its rule below (fewer
 * rows, rounds, seeds, repeats, smaller delays; the same keys and structure otherwise), checked
 * for exit 0 and its result files. An example without a rule fails here: add one when you add an
 * example. CODA_EXAMPLES=full runs every example as written instead (hours; the README of
 * examples/ gives each one's time). About 4 minutes on 2 cores, shortened.
 */
const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const CODA = join(ROOT, 'bin', 'coda.js');
const FULL = process.env.CODA_EXAMPLES === 'full';

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sets doc[a][b]... = value (creating objects on the way), for a dotted path. */
function set(doc: Doc, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = doc;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(node[k])) node[k] = {};
    node = node[k] as Doc;
  }
  node[keys.at(-1)!] = value;
}

/** The lambda-tail, exponential, ... delays of a doc's chaos (a job's, or an experiment's profiles) scaled down. */
function smallDelays(doc: Doc, base = 0.002): void {
  const shrink = (chaos: unknown): void => {
    if (!isObj(chaos) || !isObj(chaos.delay)) return;
    const d = chaos.delay;
    if (typeof d.base === 'number') d.base = Math.min(d.base, base);
    if (typeof d.slow === 'number') d.slow = Math.min(d.slow, base * 5);
  };
  shrink(doc.chaos);
  if (isObj(doc.base)) shrink(doc.base.chaos);
  if (isObj(doc.matrix) && isObj(doc.matrix.chaos)) for (const p of Object.values(doc.matrix.chaos)) shrink(p);
}

/** Where a shortened run needs files: A.npy and b.npy for the first experiment's examples. */
function writeLeastSquaresData(dir: string): void {
  // A seeded 600×20 problem: enough rows for 4 workers, small enough to be quick.
  let s = 12345;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const rows = 600;
  const cols = 20;
  const A = new Float64Array(rows * cols).map(() => rand());
  const x = new Float64Array(cols).map(() => rand());
  const b = new Float64Array(rows).map((_, i) => A.subarray(i * cols, (i + 1) * cols).reduce((acc, a, j) => acc + a * x[j]!, 0) + 0.01 * rand());
  writeNpy(join(dir, 'A.npy'), [rows, cols], A);
  writeNpy(join(dir, 'b.npy'), [rows], b);
}

interface Rule {
  /** Makes the run short; the doc is the example file, parsed. */
  shorten(doc: Doc): void;
  /** Files the example expects beside it (relative paths are the current folder's). */
  setup?(dir: string): void;
  /** After the run: more commands the example names (coda predict), as CLI argument lists. */
  after?(dir: string, out: string): string[][];
}

/** One rule per example file. A new example needs one here. */
const RULES: Record<string, Rule> = {
  'least-squares.yaml': { setup: writeLeastSquaresData, shorten: (d) => set(d, 'stop.maxRounds', 200) },
  'least-squares-experiment.yaml': {
    setup: writeLeastSquaresData,
    shorten: (d) => {
      set(d, 'matrix.seeds', [1]);
      set(d, 'base.stop', { tol: 1e-8, maxRounds: 60, timeLimit: 20 });
      smallDelays(d);
    },
  },
  'trace-replay-experiment.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic.rows', 800);
      set(d, 'base.stop', { tol: 1e-6, maxRounds: 40, timeLimit: 20 });
      set(d, 'matrix.seeds', [1]);
      set(d, 'matrix.schemes', ['wait-all', { name: 'frc', stragglers: 1 }]);
      // The trace's path is relative to the checkout's root, where the example says to run it.
      const chaos = (d.matrix as Doc).chaos as Record<string, Doc>;
      for (const p of Object.values(chaos)) if (isObj(p.delay) && typeof p.delay.file === 'string') Object.assign(p.delay, { file: join(ROOT, p.delay.file), scale: 0.02 });
    },
  },
  'adaptive-correlated.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic.rows', 800);
      set(d, 'base.stop', { tol: 1e-4, maxRounds: 40, timeLimit: 20 });
      set(d, 'matrix.seeds', [1]);
      set(d, 'matrix.schemes', ['wait-all', { name: 'adaptive', label: 'adaptive' }, { name: 'adaptive', prior: false, label: 'adaptive-learning' }]);
      const chaos = (d.matrix as Doc).chaos as Record<string, Doc>;
      for (const p of Object.values(chaos)) if (isObj(p.delay) && typeof p.delay.file === 'string') Object.assign(p.delay, { file: join(ROOT, p.delay.file) });
      smallDelays(d);
    },
  },
  'oversketched-newton-paper.yaml': {
    // Every solver and stage of the paper's comparison, on 12 workers and a small problem.
    shorten: (d) => {
      set(d, 'base.data.synthetic', { rows: 3000, cols: 16, seed: 3, signal: 3, correlation: 0.5 });
      set(d, 'base.workers', 12);
      set(d, 'base.stop', { gradNorm: 0, suboptimality: 1e-6, maxRounds: 6, timeLimit: 20 });
      set(d, 'matrix.seeds', [1]);
      set(d, 'matrix.chaos', { 'lambda-tail': { delay: { dist: 'lambda-tail', base: 0.002 } } });
      for (const a of Object.values((d.matrix as Doc).algorithms as Record<string, Doc>)) {
        delete a.stop;
        a.gradientWorkers = a.solver === 'giant' || a.solver === 'gd' ? 12 : 9;
        if (isObj(a.scheme) && a.scheme.name === 'product-code') a.scheme.grid = [2, 2];
        if (a.blocks !== undefined) a.blocks = 9;
        if (isObj(a.sketch)) Object.assign(a.sketch, { blocks: 3, extra: 2, rowBlocks: 2, workers: 12 });
        if (isObj(a.hessian)) a.hessian.workers = 12;
      }
    },
  },
  'adaptive-showdown.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic.rows', 800);
      set(d, 'base.stop', { tol: 1e-4, maxRounds: 40, timeLimit: 20 });
      set(d, 'matrix.seeds', [1]);
      set(d, 'matrix.schemes', ['wait-all', { name: 'adaptive', label: 'adaptive' }, { name: 'adaptive', approximate: true, label: 'adaptive-approx' }]);
      const chaos = (d.matrix as Doc).chaos as Record<string, Doc>;
      // The changing profile's schedule, brought within the shortened run's rounds.
      set(d, 'matrix.chaos', {
        none: chaos.none,
        'slow-worker': chaos['slow-worker'],
        changing: { delay: { dist: 'none' }, schedule: ['at round 10 set delay lambda-tail base 2ms', 'at round 20 set delay lambda-tail base 10ms on worker 3'] },
      });
      set(d, 'matrix.chaos.slow-worker.delay.value', 0.002);
      set(d, 'targets', [1e-3, 1e-4]);
    },
  },
  'frc-decode.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 1600);
      set(d, 'repeats', 1);
      set(d, 'timeBudget', 0.5);
      smallDelays(d);
    },
  },
  'inverse-experiment.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic', { kind: 'gaussian', rows: 60, cols: 60, seed: 1 });
      set(d, 'matrix.seeds', [1]);
      set(d, 'matrix.algorithms', { 'eps-1e-7': { tol: 1e-7 } });
      smallDelays(d, 0.0002);
    },
  },
  'kernel-regression.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 1500);
      set(d, 'eigenpro', { nystrom: 100, q: 10, batch: 32, epochs: 0.5, evalPoints: 200, store: 'sharded' });
    },
    after: (dir, out) => {
      const X = new Float64Array(5 * 8).map((_, i) => Math.sin(i));
      writeNpy(join(dir, 'X.npy'), [5, 8], X);
      return [['predict', '--model', join(out, 'model.json'), '--input', join(dir, 'X.npy'), '--out', join(dir, 'pred.npy')]];
    },
  },
  'kernel-regression-delay.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 1500);
      set(d, 'eigenpro', { nystrom: 100, q: 10, batch: 32, epochs: 0.5, evalPoints: 200 });
      smallDelays(d);
    },
  },
  'leverage-table1.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 1000);
      set(d, 'workers', 100);
      set(d, 'blocks', 50);
      set(d, 'scheme', { name: 'leverage', q: 10, slots: 100 });
      set(d, 'instances', 1);
      set(d, 'iterations', 15);
    },
  },
  'logreg-oversketch.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 2000);
      set(d, 'data.synthetic.cols', 20);
      set(d, 'stop', { gradNorm: 1e-8, maxRounds: 4, timeLimit: 30 });
      smallDelays(d);
    },
  },
  'oversketched-newton-experiment.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic.rows', 2000);
      set(d, 'base.data.synthetic.cols', 20);
      set(d, 'base.stop', { gradNorm: 1e-8, maxRounds: 4, timeLimit: 30 });
      set(d, 'matrix.seeds', [1]);
      smallDelays(d);
    },
  },
  'pseudoinverse.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic', { kind: 'gaussian', rows: 120, cols: 30, seed: 1 });
      smallDelays(d, 0.0002);
    },
  },
  'straggler-showdown.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 1600);
      set(d, 'repeats', 1);
      set(d, 'timeBudget', 0.5);
      smallDelays(d);
    },
  },
  'straggler-showdown-64.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 64 * 40);
      set(d, 'repeats', 1);
      set(d, 'timeBudget', 0.5);
      set(d, 'tailFree', false);
      smallDelays(d);
    },
  },
  'straggler-showdown-256.yaml': {
    shorten: (d) => {
      set(d, 'data.synthetic.rows', 256 * 20);
      set(d, 'timeBudget', 0.5);
      set(d, 'tailFree', false);
      set(d, 'schemes', [{ name: 'wait-all' }, { name: 'ignore-stragglers', fraction: 0.75 }, { name: 'leverage', q: 192 }]);
      smallDelays(d);
    },
  },
  'straggler-showdown-experiment.yaml': {
    shorten: (d) => {
      set(d, 'base.data.synthetic.rows', 800);
      set(d, 'base.stop', { tol: 1e-4, maxRounds: 60, timeLimit: 20 });
      set(d, 'matrix.seeds', [1]);
      smallDelays(d);
    },
  },
};

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('examples: every examples/*.yaml runs', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'coda-examples-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  beforeAll(() => {
    const stale = staleDist();
    if (stale) throw new Error(stale);
  });

  it('every example has a shortening rule here', () => {
    expect(examples.filter((f) => !RULES[f]).map((f) => `examples/${f}: add a rule to test/docs/examples.test.ts`)).toEqual([]);
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  it('every example is listed in examples/README.md', () => {
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    expect(examples.filter((f) => !readme.includes(`(${f})`))).toEqual([]);
  });

  for (const file of examples) {
    const rule = RULES[file];
    it.skipIf(!rule)(file, async () => {
      const dir = join(tmp, basename(file, '.yaml'));
      mkdirSync(dir);
      const doc = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Doc;
      const experiment = 'base' in doc;
      rule!.setup?.(dir);
      if (!FULL) rule!.shorten(doc);
      const path = join(dir, file);
      writeFileSync(path, stringify(doc));
      const out = join(dir, 'out');
      const run = async (args: string[]): Promise<void> => {
        const r = await runProcess(process.execPath, [CODA, ...args], { cwd: dir, timeoutMs: FULL ? 4 * 3600_000 : 300_000, env: { ...process.env, CODA_LOG_LEVEL: 'error' } });
        const tail = `$ coda ${args.join(' ')}\n${String(r.error ?? '')}\n${r.stdout.slice(-2000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
        expect(r.error, tail).toBeUndefined();
        expect(r.status, tail).toBe(0);
      };
      await run([experiment ? 'experiment' : 'run', path, '--out', out]);
      const expected = experiment ? ['runs.csv', 'summary.csv', 'report.html', 'experiment.json'] : ['result.json'];
      for (const f of expected) expect(existsSync(join(out, f)), `${file}: ${f}`).toBe(true);
      for (const args of rule!.after?.(dir, out) ?? []) await run(args);
    }, FULL ? 4 * 3600_000 : 330_000);
  }
});
