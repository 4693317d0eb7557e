import { describe, expect, it } from 'vitest';
import { jsKernels, lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { float64ToBytes } from '../../../shared/tensor';
import type { pb } from '../../../shared/wire';
import { kindHandler } from '../../../worker/task-kinds';
import { expectClose } from '../../helpers/expect-close';

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
    const one = h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [d], data: float64ToBytes(x1) } } }), blocks, kernels: jsKernels }) as { shape: number[]; values: Float64Array };
    expect(one.shape).toEqual([d]);
    expectClose(one.values, ref(x1));
    const both = Float64Array.from([...x1, ...x2]);
    const two = h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [2, d], data: float64ToBytes(both) } } }), blocks, kernels: jsKernels }) as { shape: number[]; values: Float64Array };
    expect(two.shape).toEqual([2, d]);
    expectClose(two.values, Float64Array.from([...ref(x1), ...ref(x2)]));
  });

  it('lsGradient refuses a block without a right-hand side, naming it', () => {
    const h = kindHandler('lsGradient')!;
    const bad = [{ block: { A: blocks[0]!.block.A, rowOffset: 0 }, weight: 1, id: 3 }];
    expect(() => h({ request: request({ kind: 'lsGradient', lsGradient: { x: { shape: [d], data: float64ToBytes(new Float64Array(d)) } } }), blocks: bad, kernels: jsKernels })).toThrow(
      'block 3 was placed without a right-hand side',
    );
  });
});
