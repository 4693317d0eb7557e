import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FirstBlocksDecoder, oversketchPlan, resolveSketchShape } from '../../../master/algorithms/logistic';
import { combinations } from '../../../master/schemes/mds-code';
import { parseLibsvm } from '../../../master/data/libsvm';
import { loadLogisticProblem, trainTestSplit } from '../../../master/data/logistic-problem';
import { syntheticLogistic } from '../../../master/data/logistic-synthetic';
import { jobSchema, parseJob } from '../../../shared/config';
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
    expect(() => parseLibsvm('1 1:0.5\n1 x:2\n')).toThrow(/:2: bad feature 'x:2'/);
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
    expect(() => loadLogisticProblem({ X: join(tmp, 'X.npy'), y: join(tmp, 'y01.npy') })).toThrow(/labels must be \+1 or -1; entry 1 is 0/);
    expect(() => loadLogisticProblem({ X: join(tmp, 'X.npy'), y: join(tmp, 'y2.npy') })).toThrow(/3 rows but there are 2 labels/);
  });
});

describe('job schema', () => {
  it('defaults: oversketched-newton, λ = 1e-4, m = 10d, stop at ‖∇f‖ ≤ 1e-8', () => {
    const j = jobSchema.parse({ job: 'logistic-regression', data: { synthetic: { rows: 100, cols: 5 } } });
    expect(j.job).toBe('logistic-regression');
    if (j.job !== 'logistic-regression') return;
    expect([j.solver, j.lambda, j.sketch.factor, j.stop.tol, j.hessian.scheme.name]).toEqual(['oversketched-newton', 1e-4, 10, 1e-8, 'speculative']);
  });

  it('names a bad key or a missing data source', () => {
    expect(() => parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nsolver: bfgs\n')).toThrow(/solver/);
    expect(() => parseJob('job: logistic-regression\ndata: {}\n')).toThrow(/exactly one of/);
    expect(() => parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nsketch: { width: 3 }\n')).toThrow(/width/);
  });
});

describe('OverSketch plan', () => {
  it('defaults: N + e = workers, e = a quarter, N·b ≥ factor·d', () => {
    expect(resolveSketchShape({ factor: 10 }, 8, 100)).toEqual({ blocks: 6, extra: 2, width: 167 });
    expect(resolveSketchShape({ factor: 10, size: 600, blocks: 4, extra: 1 }, 8, 100)).toEqual({ blocks: 4, extra: 1, width: 150 });
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

  it('rejects a block of the wrong size', () => {
    expect(() => new FirstBlocksDecoder(2, 4).add(0, new Float64Array(3))).toThrow(/expected 4/);
  });
});
