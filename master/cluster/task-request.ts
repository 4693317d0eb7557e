import type { pb } from '../../shared/wire';
import type { Placed } from './placed-plan';
import type { TaskPayload } from '../../algorithms/compute-cluster';
import { requestValues } from './task-kinds';
import { slotWorkOf, type SlotWork, type WorkMeasure } from './task-work';
import { payloadFields, payloadKind } from './payload-fields';

export { payloadFields, payloadKind };

/**
 * One slot's entry in a round message: its blocks and work (and its own payload when given). The
 * work defaults to the rows measure fixed at placement (see task-work.ts for the ops measure).
 */
export function slotEntry(placed: Placed, slot: number, own?: pb.TaskRequest, work: SlotWork = { work: placed.work[slot]! }): pb.TaskRequest {
  return {
    ...own,
    slot,
    blocks: placed.plan.slots[slot]!.blocks.map((b) => ({ blockId: placed.blockIds[b.stored]!, weight: b.weight })),
    work: work.work,
    ...(work.workPerIteration !== undefined ? { workPerIteration: work.workPerIteration } : {}),
  };
}

/** A full unary TaskRequest for one slot (tools and tests; rounds go over the task stream). */
export function taskRequest(placed: Placed, slot: number, round: number, payload: TaskPayload, measure: WorkMeasure = 'ops'): pb.TaskRequest {
  return { ...slotEntry(placed, slot, payloadFields(payload), slotWorkOf(placed, slot, payload, measure)), jobId: placed.jobId, round: String(round) };
}

/** Doubles a payload's request fields carry to the workers (for the bytes-sent metric; see task-kinds.ts). */
export function payloadValues(p: TaskPayload, fields: pb.TaskRequest = payloadFields(p)): number {
  return requestValues(payloadKind(p), fields);
}
