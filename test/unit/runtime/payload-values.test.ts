import { describe, expect, it } from 'vitest';
import { float64ToBytes } from '../../../shared/tensor';
import type { TaskPayload } from '../../../algorithms/compute-cluster';
import { TASK_KINDS } from '../../../master/cluster/task-kinds';
import { payloadKind, payloadValues } from '../../../master/cluster/task-request';

const t = (n: number) => ({ shape: [n], data: float64ToBytes(new Float64Array(n)) });

describe("the master's table of task kinds", () => {
  it('has one entry for every kind of the contract (the compiler checks it; this lists them)', () => {
    expect(Object.keys(TASK_KINDS).sort()).toEqual(
      ['countSketch', 'eigenproAsync', 'eigenproSetup', 'eigenproStep', 'gram', 'localNewton', 'logisticGradient', 'logisticLoss', 'lsGradient', 'matvec', 'mattvec', 'noop', 'solveColumns'].sort(),
    );
  });

  it('counts the doubles a payload carries from its message alone', () => {
    const cases: [TaskPayload, number][] = [
      [{ kind: 'noop' }, 0],
      [{ kind: 'matvec', x: new Float64Array(7) }, 7],
      [{ kind: 'mattvec', v: new Float64Array(5) }, 5],
      [{ kind: 'lsGradient', x: new Float64Array(12), points: 3 }, 12],
      [{ kind: 'gram' }, 0],
      [{ kind: 'gram', d: new Float64Array(9) }, 9],
      [{ kind: 'message', name: 'solveColumns', fields: { solveColumns: { target: 'inverse', columns: [1, 4, 6], solver: 'cg', tol: 1e-8, maxIterations: 10 } } }, 3],
      [{ kind: 'message', name: 'countSketch', fields: { countSketch: { scale: t(40), seed: '1', width: 4, gram: true } } }, 40],
      [{ kind: 'message', name: 'logisticGradient', fields: { logisticGradient: { w: t(6) } } }, 6],
      [{ kind: 'message', name: 'localNewton', fields: { localNewton: { w: t(6), g: t(6), lambda: 0.1 } } }, 12],
      [{ kind: 'message', name: 'logisticLoss', fields: { logisticLoss: { w: t(6), p: t(6), steps: t(16) } } }, 28],
      [{ kind: 'message', name: 'eigenproStep', fields: { eigenproStep: { alpha: t(50), batchSize: 4, step: 1, gradientScale: 0.5, seed: '3' } } }, 50],
      [{ kind: 'message', name: 'eigenproSetup', fields: { eigenproSetup: { ownBlock: 1, nystromSize: 10, topQ: 3, seed: '2' } } }, 0],
    ];
    for (const [p, values] of cases) expect(payloadValues(p), payloadKind(p)).toBe(values);
  });
});
