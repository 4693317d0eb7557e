import { taskWork, type BlockShape, type TaskShape } from '../../core/runtime/task-flops';
import type { TaskPayload } from '../../algorithms/compute-cluster';
import type { Placed } from './placed-plan';

/**
 * What the master tells a worker its task weighs (what the worker's slowdown draw of the round is
 * multiplied by). Under `chaos.delay.work: ops` (the default) it is the task's floating-point
 * operations (core/runtime/task-flops.ts) over the job's reference task's, so it depends on the
 * round's task kind and payload, not only on the slot's blocks; `rows` keeps the data-size measure
 * fixed at placement (rows × columns of the slot's blocks over one uncoded block of wait-all).
 */
export type WorkMeasure = 'ops' | 'rows';

/** A slot's work for one round: now, or per iteration (known only when the task ends). */
export type SlotWork = { work: number; workPerIteration?: undefined } | { work: 0; workPerIteration: number };

/** The task shape of `payload` run over `blocks`, or its shape per iteration when its work is known only at its end (a column solve). */
export function taskShapeOf(payload: TaskPayload, blocks: readonly BlockShape[]): TaskShape | { perIteration: TaskShape } {
  switch (payload.kind) {
    case 'noop':
      return { kind: 'noop' };
    case 'matvec':
    case 'mattvec':
      return { kind: payload.kind, blocks };
    case 'lsGradient':
      return { kind: 'lsGradient', blocks, points: payload.points ?? 1 };
    case 'gram':
      return { kind: 'gram', blocks, weighted: payload.d !== undefined };
    case 'message':
      break;
  }
  const f = payload.fields;
  const cols = blocks[0]?.cols ?? 0;
  const rows = blocks.reduce((s, b) => s + b.rows, 0);
  switch (payload.name) {
    case 'countSketch':
      return { kind: 'countSketch', blocks, width: f.countSketch?.width ?? 0, gram: !!f.countSketch?.gram };
    case 'logisticGradient':
    case 'localNewton':
    case 'logisticLoss':
      return { kind: payload.name, blocks };
    case 'solveColumns':
      return { perIteration: { kind: 'solveColumnIteration', order: cols } };
    case 'eigenproStep':
      return { kind: 'eigenproStep', batch: f.eigenproStep?.batchSize ?? 0, centers: rows, dims: cols };
    case 'eigenproAsync':
      // Its loop draws a delay per iteration; one iteration is one step.
      return { kind: 'eigenproStep', batch: f.eigenproAsync?.batchSize ?? 0, centers: rows, dims: cols };
    case 'eigenproSetup':
      return { kind: 'eigenproSetup', nystrom: f.eigenproSetup?.nystromSize ?? 0, dims: cols };
    default:
      return { kind: 'noop' };
  }
}

/**
 * Slot `slot`'s work in a round of `payload`: the ops measure from its stored blocks' shapes and
 * the payload, or the rows measure fixed at placement.
 */
export function slotWorkOf(placed: Placed, slot: number, payload: TaskPayload, measure: WorkMeasure): SlotWork {
  if (measure === 'rows') return { work: placed.work[slot]! };
  const blocks = placed.plan.slots[slot]!.blocks.map((b) => placed.blocks[b.stored]!);
  const shape = taskShapeOf(payload, blocks);
  if ('perIteration' in shape) return { work: 0, workPerIteration: taskWork(shape.perIteration, placed.referenceFlops) };
  return { work: taskWork(shape, placed.referenceFlops) };
}
