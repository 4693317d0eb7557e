import { float64ToBytes } from '../../shared/tensor';
import type { pb } from '../../shared/wire';
import type { Placed } from './placed-plan';
import type { KindName, TaskPayload } from '../../algorithms/compute-cluster';
import { requestValues } from './task-kinds';
import { slotWorkOf, type SlotWork, type WorkMeasure } from './task-work';

/** The kind and payload fields of a TaskRequest (no job, round, slot or blocks). */
export function payloadFields(payload: TaskPayload): pb.TaskRequest {
  const t = (v: Float64Array): pb.Tensor => ({ shape: [v.length], data: float64ToBytes(v) });
  switch (payload.kind) {
    case 'noop':
      return { noop: {} };
    case 'matvec':
      return { matvec: { x: t(payload.x) } };
    case 'mattvec':
      return { mattvec: { v: t(payload.v) } };
    case 'lsGradient':
      return { lsGradient: { x: payload.points ? { shape: [payload.points, payload.x.length / payload.points], data: float64ToBytes(payload.x) } : t(payload.x) } };
    case 'gram':
      return { gram: payload.d ? { d: t(payload.d) } : {} };
    case 'message':
      return { ...payload.fields };
  }
}

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

/** The proto task kind of a payload. */
export function payloadKind(p: TaskPayload): KindName {
  return p.kind === 'message' ? p.name : p.kind;
}

/** Doubles a payload's request fields carry to the workers (for the bytes-sent metric; see task-kinds.ts). */
export function payloadValues(p: TaskPayload, fields: pb.TaskRequest = payloadFields(p)): number {
  return requestValues(payloadKind(p), fields);
}
