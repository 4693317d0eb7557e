import { describe, expect, it } from 'vitest';
import { jsKernels, lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { float64ToBytes } from '../../../shared/tensor';
import type { pb } from '../../../shared/wire';
import { kindHandler } from '../../../worker/task-kinds';
import { expectClose } from '../../helpers/expect-close';
import { allocate, defaultTaskBudget } from '../../../worker/task-budget';
import { ResourceError } from '../../../shared/errors';

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
