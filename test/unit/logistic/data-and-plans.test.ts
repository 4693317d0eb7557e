import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oversketchPlan, resolveSketchShape, sketchedHessian, SketchBlocksDecoder, sketchRowBlocks } from '../../../algorithms/logistic';
import { evenBlockStarts } from '../../../core/schemes/placement';
import { expectClose } from '../../helpers/expect-close';
import { InProcessCluster } from './in-process-cluster';
import { combinations } from '../../../core/schemes/mds-code';
import { parseLibsvm } from '../../../master/data/libsvm';
import { loadLogisticProblem, trainTestSplit } from '../../../master/data/logistic-problem';
import { syntheticLogistic } from '../../../master/data/logistic-synthetic';
import { jobOf, parseJob } from '../../../master';
import { InputError } from '../../../shared/errors';
import { formatNpy } from '../../../shared/tensor';

const tmp = mkdtempSync(join(tmpdir(), 'coda-lr-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LIBSVM parser', () => {
  it('reads sparse rows densely, 1-based indices, labels ±1', () => {
    const { X, y } = parseLibsvm('+1 1:0.5 3:-2\n-1 2:1.5\n\n# comment\n1 3:4 # trailing\n');
    expect([X.rows, X.cols]).toEqual([3, 3]);
    expect(Array.from(X.data)).toEqual([0.5, 0, -2, 0, 1.5, 0, 0, 0, 4]);
    expect(Array.from(y)).toEqual([1, -1, 1]);
  });

  it('maps 0/1 labels to ±1 and honours an explicit feature count', () => {
    const { X, y } = parseLibsvm('0 1:1\n1 2:1\n', { features: 5 });
    expect(X.cols).toBe(5);
    expect(Array.from(y)).toEqual([-1, 1]);
  });

  it('names the line of a bad entry', () => {
    expect(() => parseLibsvm('1 1:0.5\n1 x:2\n')).toThrow(/:2: feature 1 is not index:value/);
    expect(() => parseLibsvm('1 3:1 2:1\n')).toThrow(/must increase/);
    expect(() => parseLibsvm('1 1:1\n2 1:1\n3 1:1\n')).toThrow(InputError);
  });
});

describe('logistic data', () => {
  it('synthetic data is seeded and has both classes', () => {
    const a = syntheticLogistic({ rows: 500, cols: 10, seed: 4, signal: 3, correlation: 0.3 });
    const b = syntheticLogistic({ rows: 500, cols: 10, seed: 4, signal: 3, correlation: 0.3 });
    expect(a.X.data).toEqual(b.X.data);
    expect(a.y).toEqual(b.y);
    const pos = a.y.filter((v) => v === 1).length;
    expect(pos).toBeGreaterThan(100);
    expect(pos).toBeLessThan(400);
  });

  it('a seeded split partitions the rows', () => {
    const a = syntheticLogistic({ rows: 100, cols: 3, seed: 1, signal: 1, correlation: 0 });
    const { train, test } = trainTestSplit(a, 0.25, 9);
    expect([train.X.rows, test.X.rows]).toEqual([75, 25]);
    const key = (X: Float64Array, i: number) => `${X[i * 3]},${X[i * 3 + 1]}`;
    const all = new Set(Array.from({ length: 100 }, (_, i) => key(a.X.data, i)));
    const seen = new Set([...Array.from({ length: 75 }, (_, i) => key(train.X.data, i)), ...Array.from({ length: 25 }, (_, i) => key(test.X.data, i))]);
    expect(seen).toEqual(all);
  });

  it('.npy files: labels must be ±1; shapes must agree', () => {
    writeFileSync(join(tmp, 'X.npy'), formatNpy([3, 2], Float64Array.from([1, 2, 3, 4, 5, 6])));
    writeFileSync(join(tmp, 'y.npy'), formatNpy([3], Float64Array.from([1, -1, 1])));
    writeFileSync(join(tmp, 'y01.npy'), formatNpy([3], Float64Array.from([1, 0, 1])));
    writeFileSync(join(tmp, 'y2.npy'), formatNpy([2], Float64Array.from([1, -1])));
    const ok = loadLogisticProblem({ X: join(tmp, 'X.npy'), y: join(tmp, 'y.npy') });
    expect(ok.train.X.cols).toBe(2);
    expect(() => loadLogisticProblem({ X: join(tmp, 'X.npy'), y: join(tmp, 'y01.npy') })).toThrow(/labels must be \+1 or -1; entry 1 is not$/);
    expect(() => loadLogisticProblem({ X: join(tmp, 'X.npy'), y: join(tmp, 'y2.npy') })).toThrow(/3 rows but there are 2 labels/);
  });
});

describe('job schema', () => {
  it('defaults: oversketched-newton, λ = 1e-4, m = 10d, stop at ‖∇f‖ ≤ 1e-8', () => {
    const j = jobOf('logistic-regression', { data: { synthetic: { rows: 100, cols: 5 } } });
    expect(j.job).toBe('logistic-regression');
    if (j.job !== 'logistic-regression') return;
    expect([j.solver, j.lambda, j.sketch.factor, j.stop.gradNorm, j.hessian.scheme.name]).toEqual(['oversketched-newton', 1e-4, 10, 1e-8, 'speculative']);
  });

  it('names a bad key or a missing data source', () => {
    expect(() => parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nsolver: bfgs\n')).toThrow(/solver/);
    expect(() => parseJob('job: logistic-regression\ndata: {}\n')).toThrow(/exactly one of/);
    expect(() => parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nsketch: { width: 3 }\n')).toThrow(/width/);
  });
});

describe('OverSketch plan', () => {
  it('defaults: N + e = workers, e = a quarter, N·b ≥ factor·d, R the most row blocks one slow worker costs ≤ e blocks at', () => {
    // 8 workers, N + e = 8: R = 2 gives 4 groups of 2 workers, 2 sketch blocks a group = e.
    expect(resolveSketchShape({ factor: 10 }, 8, 100)).toEqual({ blocks: 6, extra: 2, width: 167, rowBlocks: 2 });
    expect(resolveSketchShape({ factor: 10, size: 600, blocks: 4, extra: 1 }, 8, 100)).toEqual({ blocks: 4, extra: 1, width: 150, rowBlocks: 1 });
    expect(resolveSketchShape({ factor: 10, rowBlocks: 4 }, 8, 100).rowBlocks).toBe(4);
    expect(() => resolveSketchShape({ factor: 10, rowBlocks: 9 }, 8, 100)).toThrow(/rowBlocks = 9/);
    expect([sketchRowBlocks(16, 12, 4), sketchRowBlocks(4, 3, 1), sketchRowBlocks(8, 8, 0)]).toEqual([4, 1, 1]);
  });

  it('R = 2 row blocks: each worker holds one, a sketch block is one group; one slow worker delays at most e blocks', () => {
    const shape = { blocks: 6, extra: 2, width: 4, rowBlocks: 2 };
    const plan = oversketchPlan(shape, 8, 3);
    expect(plan.stored).toHaveLength(2);
    expect(plan.slots).toHaveLength(16);
    const rowsOn = new Map<number, Set<number>>();
    const sketchesOn = new Map<number, Set<number>>();
    plan.slots.forEach((s, k) => {
      (rowsOn.get(s.host) ?? rowsOn.set(s.host, new Set()).get(s.host)!).add(s.blocks[0]!.stored);
      (sketchesOn.get(s.host) ?? sketchesOn.set(s.host, new Set()).get(s.host)!).add(Math.floor(k / 2));
    });
    expect(rowsOn.size).toBe(8);
    for (const rows of rowsOn.values()) expect(rows.size).toBe(1);
    for (const sketches of sketchesOn.values()) expect(sketches.size).toBeLessThanOrEqual(shape.extra);
    expect(plan.describe()).toMatchObject({ rowBlocks: 2, groups: 4, slots: 16 });
  });

  it('R = 2: a sketch block counts once both partials arrived, summed; brute force over every arrival order', () => {
    // N = 2 of 3 sketch blocks, 2 row blocks: slots 0..5 are (i, j) = (⌊s/2⌋, s mod 2).
    const plan = oversketchPlan({ blocks: 2, extra: 1, width: 1, rowBlocks: 2 }, 4, 2);
    const partial = (s: number): Float64Array => Float64Array.of(1 + s, 100 * (1 + s));
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (const order of perms([0, 1, 2, 3, 4, 5])) {
      const dec = plan.decoder();
      const complete: number[] = [];
      const seen = new Set<number>();
      let k = 0;
      for (; k < order.length; k++) {
        const s = order[k]!;
        seen.add(s);
        const i = Math.floor(s / 2);
        if (seen.has(2 * i) && seen.has(2 * i + 1)) complete.push(i);
        const enough = dec.add(s, partial(s));
        expect(enough).toBe(complete.length === 2);
        if (enough) break;
      }
      const out = dec.decode();
      const want = complete.flatMap((i) => [partial(2 * i)[0]! + partial(2 * i + 1)[0]!, partial(2 * i)[1]! + partial(2 * i + 1)[1]!]);
      expect(Array.from(out.value)).toEqual(want);
      expect(out.used).toEqual(complete.flatMap((i) => [2 * i, 2 * i + 1]).sort((a, b) => a - b));
    }
  });

  it('decodes from the first N blocks of every arrival pattern, the e slowest ignored', () => {
    const plan = oversketchPlan({ blocks: 3, extra: 2, width: 2 }, 4, 2);
    expect(plan.slots.length).toBe(5);
    expect(plan.stored.length).toBe(1);
    for (const firsts of combinations(5, 3)) {
      const dec = plan.decoder();
      const enough = firsts.map((s) => dec.add(s, Float64Array.from([s, 10 + s, 20 + s, 30 + s])));
      expect(enough).toEqual([false, false, true]);
      const out = dec.decode();
      expect(out.used).toEqual(firsts);
      expect(Array.from(out.value)).toEqual(firsts.flatMap((s) => [s, 10 + s, 20 + s, 30 + s]));
    }
  });

  it('the Hessian from partial sketches of R row blocks is the one from whole-X sketch blocks (same S), for R = 1, 2, 3', async () => {
    const { X } = syntheticLogistic({ rows: 90, cols: 4, seed: 2, signal: 3, correlation: 0 });
    const gamma = Float64Array.from({ length: 90 }, (_, i) => 0.05 + 0.2 * Math.abs(Math.sin(i)));
    const hessians: Float64Array[] = [];
    for (const R of [1, 2, 3]) {
      // e = 0: every sketch block is used, so the answer does not depend on the arrival order.
      const shape = { blocks: 2, extra: 0, width: 7, rowBlocks: R };
      const cluster = new InProcessCluster(6, R);
      const blockStarts = evenBlockStarts(90, R);
      const placed = await cluster.place(`h${R}`, oversketchPlan(shape, 6, 4), { A: X, blockStarts });
      hessians.push((await sketchedHessian(cluster, placed, shape, blockStarts, 90, 4, 1e-3, 5)(gamma, 3)).H);
    }
    expectClose(hessians[1]!, hessians[0]!, { rtol: 1e-12, atol: 1e-14 });
    expectClose(hessians[2]!, hessians[0]!, { rtol: 1e-12, atol: 1e-14 });
  });

  it('rejects a block of the wrong size', () => {
    expect(() => new SketchBlocksDecoder(2, 1, [0, 1, 2], 4).add(0, new Float64Array(3))).toThrow(/expected 4/);
  });
});
