import { afterEach, describe, expect, it, vi } from 'vitest';
import { eigenproReference, inverseReference, leastSquaresReference, logisticReference, taskFlops, taskWork } from '../../../core/runtime';
import { Placed } from '../../../master/cluster/placed-plan';
import { slotWorkOf } from '../../../master/cluster/task-work';
import { slotEntry } from '../../../master/cluster/task-request';
import { ChaosInjector } from '../../../worker/chaos-injector';
import { workDone } from '../../../worker/task-runner';
import { NO_FAULTS } from '../../../shared/chaos';
import type { Plan } from '../../../core/schemes';
import type { OutgoingBlock } from '../../../core/schemes/placement';
import type { TaskPayload } from '../../../algorithms/compute-cluster';

const B = (rows: number, cols: number) => ({ rows, cols });

describe('floating-point operations of each task kind (the table in docs/delays-and-faults.md)', () => {
  it('pins every formula', () => {
    const r = 300;
    const c = 20;
    const two = [B(r, c), B(r, c)];
    expect(taskFlops({ kind: 'matvec', blocks: [B(r, c)] })).toBe(2 * r * c);
    expect(taskFlops({ kind: 'mattvec', blocks: two })).toBe(2 * 2 * r * c);
    expect(taskFlops({ kind: 'lsGradient', blocks: [B(r, c)], points: 1 })).toBe(4 * r * c);
    expect(taskFlops({ kind: 'lsGradient', blocks: [B(r, c)], points: 4 })).toBe(16 * r * c);
    expect(taskFlops({ kind: 'gram', blocks: [B(r, c)], weighted: false })).toBe(r * c * c);
    expect(taskFlops({ kind: 'gram', blocks: [B(r, c)], weighted: true })).toBe(r * c * c + r * c);
    expect(taskFlops({ kind: 'countSketch', blocks: two, width: 7, gram: false })).toBe(2 * 2 * r * c);
    expect(taskFlops({ kind: 'countSketch', blocks: two, width: 7, gram: true })).toBe(2 * 2 * r * c + 7 * c * c);
    expect(taskFlops({ kind: 'logisticGradient', blocks: [B(r, c)] })).toBe(4 * r * c);
    expect(taskFlops({ kind: 'logisticLoss', blocks: [B(r, c)] })).toBe(4 * r * c);
    expect(taskFlops({ kind: 'localNewton', blocks: [B(r, c)] })).toBeCloseTo(r * c * c + 2 * r * c + c ** 3 / 3 + 2 * c * c, 9);
    expect(taskFlops({ kind: 'solveColumnIteration', order: 50 })).toBe(2 * 50 * 50);
    expect(taskFlops({ kind: 'eigenproStep', batch: 64, centers: 1000, dims: 8 })).toBe(64 * 1000 * (2 * 8 + 3));
    expect(taskFlops({ kind: 'eigenproSetup', nystrom: 100, dims: 8 })).toBe(100 * 100 * 19 + 9 * 100 ** 3);
  });

  it('pins each job kind’s reference task (one uncoded wait-all gradient block)', () => {
    expect(leastSquaresReference(800, 10, 8)).toBe(4 * 100 * 10);
    expect(logisticReference(20000, 100, 8)).toBe(4 * 2500 * 100);
    expect(inverseReference(200, 200, 8)).toBe(25 * 2 * 200 * 200);
    expect(eigenproReference(64, 1000, 8)).toBe(64 * 1000 * 19);
    // A noop stands for one reference task; a bad reference is refused.
    expect(taskWork({ kind: 'noop' }, 5)).toBe(1);
    expect(() => taskWork({ kind: 'matvec', blocks: [B(1, 1)] }, 0)).toThrow(/reference/);
  });

  it('a wait-all gradient block is one unit; a matvec over it half; an exact-Hessian block c/4, i.e. c/2 matvecs', () => {
    const ref = leastSquaresReference(800, 10, 8);
    const block = [B(100, 10)];
    expect(taskWork({ kind: 'lsGradient', blocks: block, points: 1 }, ref)).toBe(1);
    expect(taskWork({ kind: 'matvec', blocks: block }, ref)).toBe(0.5);
    const gram = taskWork({ kind: 'gram', blocks: block, weighted: false }, ref);
    expect(gram).toBe(10 / 4);
    expect(gram / taskWork({ kind: 'matvec', blocks: block }, ref)).toBe(10 / 2);
  });
});

/** A placed plan of two slots on blocks of 100×10 and 200×10 rows, unit = least squares over 800×10 on 8 workers. */
function placedOfTwo(): Placed {
  const blocks: OutgoingBlock[] = [
    { id: 0, rows: 100, cols: 10, data: new Float64Array(0), rowOffset: 0 },
    { id: 1, rows: 200, cols: 10, data: new Float64Array(0), rowOffset: 100 },
  ];
  const plan: Plan = {
    scheme: 'test',
    stored: [{ terms: [{ block: 0, coef: 1 }] }, { terms: [{ block: 1, coef: 1 }] }],
    slots: [
      { host: 0, blocks: [{ stored: 0, weight: 1 }] },
      { host: 1, blocks: [{ stored: 1, weight: 1 }] },
    ],
    decoder: () => {
      throw new Error('not used');
    },
    describe: () => ({}),
  };
  return new Placed('j', plan, blocks, [1, 2], undefined, leastSquaresReference(800, 10, 8));
}

describe('the master’s work per slot and round', () => {
  it('ops: from the round’s task kind and the slot’s blocks; rows: the data-size measure fixed at placement', () => {
    const p = placedOfTwo();
    const x = new Float64Array(10);
    const ls: TaskPayload = { kind: 'lsGradient', x };
    const mv: TaskPayload = { kind: 'matvec', x };
    const gram: TaskPayload = { kind: 'gram', d: new Float64Array(100) };
    expect(slotWorkOf(p, 0, ls, 'ops')).toEqual({ work: 1 });
    expect(slotWorkOf(p, 1, ls, 'ops')).toEqual({ work: 2 });
    expect(slotWorkOf(p, 0, mv, 'ops')).toEqual({ work: 0.5 });
    expect(slotWorkOf(p, 0, gram, 'ops').work).toBeCloseTo((100 * 100 + 100 * 10) / 4000, 12);
    // rows: whatever the kind, the placement's measure.
    expect(slotWorkOf(p, 1, gram, 'rows')).toEqual({ work: 2 });
    // A column solve's work is known only when it ends: one column iteration of its order, per iteration.
    const solve: TaskPayload = { kind: 'message', name: 'solveColumns', fields: { solveColumns: { target: 'inverse', columns: [0], solver: 'cg', tol: 1e-8, maxIterations: 10 } } };
    const w = slotWorkOf(p, 0, solve, 'ops');
    expect(w).toEqual({ work: 0, workPerIteration: (2 * 10 * 10) / 4000 });
    expect(slotEntry(p, 0, undefined, w)).toMatchObject({ work: 0, workPerIteration: 0.05 });
    expect(slotEntry(p, 1)).toMatchObject({ work: 2 });
    expect(slotEntry(p, 1)).not.toHaveProperty('workPerIteration');
  });

  it('a kind given as its generated message weighs what its typed payload weighs (the task-kinds table says both)', () => {
    const p = placedOfTwo();
    const x = new Float64Array(10);
    const bytes = (v: Float64Array) => ({ shape: [v.length], data: Buffer.from(v.buffer) });
    const pairs: [TaskPayload, TaskPayload][] = [
      [{ kind: 'matvec', x }, { kind: 'message', name: 'matvec', fields: { matvec: { x: bytes(x) } } }],
      [{ kind: 'lsGradient', x }, { kind: 'message', name: 'lsGradient', fields: { lsGradient: { x: bytes(x) } } }],
      [{ kind: 'gram', d: new Float64Array(100) }, { kind: 'message', name: 'gram', fields: { gram: { d: bytes(new Float64Array(100)) } } }],
      [{ kind: 'gram' }, { kind: 'message', name: 'gram', fields: { gram: {} } }],
      [{ kind: 'noop' }, { kind: 'message', name: 'noop', fields: { noop: {} } }],
    ];
    for (const [typed, message] of pairs) {
      for (const slot of [0, 1]) expect(slotWorkOf(p, slot, message, 'ops')).toEqual(slotWorkOf(p, slot, typed, 'ops'));
    }
    // Stacked points weigh one gradient each.
    const two: TaskPayload = { kind: 'lsGradient', x: new Float64Array(20), points: 2 };
    expect(slotWorkOf(p, 0, two, 'ops').work).toBe(2 * slotWorkOf(p, 0, { kind: 'lsGradient', x }, 'ops').work);
    // A kind of real work never weighs nothing (a message name the table did not know used to weigh as a no-op).
    const sketch: TaskPayload = { kind: 'message', name: 'countSketch', fields: { countSketch: { width: 4, gram: true } } };
    expect(slotWorkOf(p, 0, sketch, 'ops').work).toBeGreaterThan(0);
  });

  it('a column solve’s work: its work per iteration × the column iterations it reports', () => {
    expect(workDone(0.05, { iterations: 40 })).toBeCloseTo(2, 12);
    expect(workDone(0.05, {})).toBe(0);
  });
});

describe('a task of twice the operations sleeps twice as long', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('same worker, same round draw: the delay is the draw × flops / reference, slept on the (fake) timer', async () => {
    vi.useFakeTimers();
    const p = placedOfTwo();
    const x = new Float64Array(10);
    const w0 = slotWorkOf(p, 0, { kind: 'lsGradient', x }, 'ops').work;
    const w1 = slotWorkOf(p, 1, { kind: 'lsGradient', x }, 'ops').work;
    expect(w1).toBe(2 * w0);
    const chaos = new ChaosInjector();
    // A constant 4 ms slowdown: whole milliseconds, so no dithering of the timer.
    chaos.configure({ jobId: 'j', delay: { dist: 'constant', value: 0.004 }, fault: NO_FAULTS, seed: 1, cores: 1 });
    const d0 = chaos.next('j/1', w0).delay;
    const d1 = chaos.next('j/1', w1).delay;
    expect(d1).toBe(2 * d0);
    const done: number[] = [];
    const signal = new AbortController().signal;
    void chaos.sleep(d0, signal).then(() => done.push(0));
    void chaos.sleep(d1, signal).then(() => done.push(1));
    await vi.advanceTimersByTimeAsync(3);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0]);
    await vi.advanceTimersByTimeAsync(3);
    expect(done).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1]);
  });
});
