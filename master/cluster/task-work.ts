import { taskWork, type BlockShape, type TaskShape } from '../../core/runtime/task-flops';
import type { TaskPayload } from '../../algorithms/compute-cluster';
import type { Placed } from './placed-plan';
import { payloadFields, payloadKind } from './payload-fields';
import { requestWork } from './task-kinds';

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

/** The task shape of `payload` run over `blocks` (the master's table of task kinds says it), or its shape per iteration when its work is known only at its end (a column solve). */
export function taskShapeOf(payload: TaskPayload, blocks: readonly BlockShape[]): TaskShape | { perIteration: TaskShape } {
  return requestWork(payloadKind(payload), payloadFields(payload), blocks);
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
