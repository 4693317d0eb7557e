import { describe, expect, it } from 'vitest';
import { jsKernels, lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { float64ToBytes } from '../../../shared/tensor';
import type { pb } from '../../../shared/wire';
import { kindHandler } from '../../../worker/task-kinds';
import { LOOP_KINDS } from '../../../worker/async-task';
import { expectClose } from '../../helpers/expect-close';
import { allocate, defaultTaskBudget } from '../../../worker/task-budget';
import { ResourceError } from '../../../shared/errors';
import { expectedAnswer } from '../../../master/cluster/task-kinds';
import type { KindName } from '../../../algorithms/compute-cluster';
import { ASYNC_REPORT_LENGTH } from '../../../shared/store';

const alloc = (n: number, what: string, result?: boolean): Float64Array => allocate(defaultTaskBudget(), n, what, result);

function request(fields: Partial<pb.TaskRequest__Output>): pb.TaskRequest__Output {
  return { jobId: 'j', round: '1', slot: 0, blocks: [], ...fields } as pb.TaskRequest__Output;
}

describe('worker task kinds', () => {
  const rng = new Rng(8);
  const d = 5;
  const mk = (rows: number) => ({
    A: { rows, cols: d, data: Float64Array.from({ length: rows * d }, () => rng.normal()) },
    rhs: Float64Array.from({ length: rows }, () => rng.normal()),
    rowOffset: 0,
  });
  const blocks = [
    { block: mk(7), weight: 0.5, id: 0 },
    { block: mk(4), weight: 2, id: 1 },
  ];
  const ref = (x: Float64Array): Float64Array => {
    const g = new Float64Array(d);
    for (const b of blocks) lsGradient(b.block.A, b.block.rhs, x, g, b.weight, true);
    return g;
  };

  it('lsGradient: weighted sum over the task blocks; stacked points give each point its gradient', () => {
    const h = kindHandler('lsGradient')!;
    const x1 = Float64Array.from({ length: d }, () => rng.normal());
    const x2 = Float64Array.from({ length: d }, () => rng.normal());
    const one = h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [d], data: float64ToBytes(x1) } } }), blocks, kernels: jsKernels, allocate: alloc }) as { shape: number[]; values: Float64Array };
    expect(one.shape).toEqual([d]);
    expectClose(one.values, ref(x1));
    const both = Float64Array.from([...x1, ...x2]);
    const two = h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [2, d], data: float64ToBytes(both) } } }), blocks, kernels: jsKernels, allocate: alloc }) as { shape: number[]; values: Float64Array };
    expect(two.shape).toEqual([2, d]);
    expectClose(two.values, Float64Array.from([...ref(x1), ...ref(x2)]));
  });

  it('lsGradient refuses a block without a right-hand side, naming it', () => {
    const h = kindHandler('lsGradient')!;
    const bad = [{ block: { A: blocks[0]!.block.A, rowOffset: 0 }, weight: 1, id: 3 }];
    expect(() => h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [d], data: float64ToBytes(new Float64Array(d)) } } }), blocks: bad, kernels: jsKernels, allocate: alloc })).toThrow(
      'block 3 was placed without a right-hand side',
    );
  });
});

describe('a task is refused before it allocates beyond its budget', () => {
  const A = { rows: 4, cols: 100, data: new Float64Array(400) };
  const sketch = (width: number, gram = false) =>
    kindHandler('countSketch')!({
      request: { jobId: 'j', round: '1', slot: 0, blocks: [], work: 1, kind: 'countSketch', countSketch: { width, seed: '1', gram, scale: null } } as unknown as pb.TaskRequest__Output,
      blocks: [{ block: { A, rowOffset: 0 }, weight: 1, id: 0 }],
      kernels: jsKernels,
      allocate: alloc,
    });
  it('a count sketch 5·10⁷ wide: over the message limit as an answer, over the memory budget as scratch', () => {
    expect(() => sketch(5e7)).toThrow(ResourceError);
    expect(() => sketch(5e7)).toThrow(/countSketch: the 50000000×100 sketch: the answer would be 40000 MB, over the 8.3 MB a message carries/);
    expect(() => sketch(5e7, true)).toThrow(/over the worker's .* budget for one task/);
    expect(() => sketch(2.5)).toThrow(/width must be a whole number/);
  });
  it('a small one runs', () => {
    expect((sketch(10) as { shape: number[] }).shape).toEqual([10, 100]);
  });
});

describe("the master's table says what every kind's answer is: the shape the worker's handler returns", () => {
  const rng = new Rng(21);
  const tensor = (v: Float64Array, shape = [v.length]) => ({ shape, data: float64ToBytes(v) });
  const vec = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
  const block = (rows: number, cols: number, rowOffset = 0) => ({ A: { rows, cols, data: vec(rows * cols) }, rhs: Float64Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? 0 : 1)), rowOffset });
  const rows = 6;
  const cols = 4;
  const two = [
    { block: block(rows, cols), weight: 1, id: 0 },
    { block: block(rows, cols, rows), weight: 0.5, id: 1 },
  ];
  const square = [{ block: { ...block(cols, cols), A: { rows: cols, cols, data: Float64Array.from({ length: cols * cols }, (_, i) => (i % (cols + 1) === 0 ? 4 : 0.5)) } }, weight: 1, id: 0 }];
  const cases: [string, Partial<pb.TaskRequest__Output>, typeof two][] = [
    ['matvec', { kind: 'matvec', matvec: { x: tensor(vec(cols)) } }, two],
    ['mattvec', { kind: 'mattvec', mattvec: { v: tensor(vec(2 * rows)) } }, two],
    ['lsGradient', { kind: 'lsGradient', lsGradient: { x: tensor(vec(cols)) } }, two],
    ['lsGradient', { kind: 'lsGradient', lsGradient: { x: tensor(vec(3 * cols), [3, cols]) } }, two],
    ['gram', { kind: 'gram', gram: { d: null } }, two],
    ['countSketch', { kind: 'countSketch', countSketch: { width: 3, seed: '1', gram: false, scale: null } }, two],
    ['countSketch', { kind: 'countSketch', countSketch: { width: 3, seed: '1', gram: true, scale: null } }, two],
    ['logisticGradient', { kind: 'logisticGradient', logisticGradient: { w: tensor(vec(cols)) } }, two],
    ['localNewton', { kind: 'localNewton', localNewton: { w: tensor(vec(cols)), g: tensor(vec(cols)), lambda: 0.1 } }, two],
    ['logisticLoss', { kind: 'logisticLoss', logisticLoss: { w: tensor(vec(cols)), p: tensor(vec(cols)), steps: tensor(vec(5)) } }, two],
    ['solveColumns', { kind: 'solveColumns', solveColumns: { target: 'inverse', columns: [0, 2], solver: 'cg', tol: 1e-10, maxIterations: 100 } }, square],
    ['eigenproSetup', { kind: 'eigenproSetup', eigenproSetup: { kernel: { name: 'gaussian', bandwidth: 2 }, ownBlock: 0, nystromSize: 4, topQ: 2, seed: '5' } }, two],
    ['eigenproSetup', { kind: 'eigenproSetup', eigenproSetup: { kernel: { name: 'gaussian', bandwidth: 2 }, ownBlock: 0, nystromSize: 50, topQ: 9, seed: '5' } }, two],
    ['eigenproStep', { kind: 'eigenproStep', eigenproStep: { alpha: tensor(new Float64Array(2 * rows)), batchSize: 2, step: 0.1, gradientScale: 0.5, seed: '3' } }, two],
  ];
  it.each(cases.map(([k, r, b], i) => [`${k} #${i}`, k, r, b] as const))('%s', async (_label, kind, fields, blocks) => {
    const req = request({ ...fields, blocks: blocks.map((b) => ({ blockId: b.id, weight: b.weight })) });
    const out = (await kindHandler(kind as never)!({ request: req, blocks, kernels: jsKernels, allocate: alloc })) as { shape: number[]; values: Float64Array };
    const spec = expectedAnswer(kind as KindName, req as pb.TaskRequest, blocks.map((b) => ({ rows: b.block.A.rows, cols: b.block.A.cols })));
    expect(out.shape).toEqual(spec.shape);
    expect(out.values.length).toBe(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.finite) expect(out.values.every(Number.isFinite)).toBe(true);
  });

  it('noop (a loop kind): an empty answer', async () => {
    const out = await LOOP_KINDS.noop({} as never);
    expect(out.shape).toEqual(expectedAnswer('noop', { noop: {} }, []).shape);
    expect(out.values.length).toBe(0);
  });

  it('eigenproAsync: the report of a leg', () => {
    expect(expectedAnswer('eigenproAsync', { eigenproAsync: {} }, [])).toEqual({ shape: [ASYNC_REPORT_LENGTH], finite: false });
  });
});
