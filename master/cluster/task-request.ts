import { float64ToBytes } from '../../shared/tensor';
import type { pb } from '../../shared/wire';
import type { Placed } from './placed-plan';
import type { TaskPayload } from './types';

/** The TaskRequest for one slot of a placed plan: its blocks and weights, and the payload as bytes. */
export function taskRequest(placed: Placed, slot: number, payload: TaskPayload): pb.TaskRequest {
  const s = placed.plan.slots[slot]!;
  const req: pb.TaskRequest = {
    jobId: placed.jobId,
    round: String(placed.round),
    slot,
    blocks: s.blocks.map((b) => ({ blockId: b.stored, weight: b.weight })),
  };
  const t = (v: Float64Array): pb.Tensor => ({ shape: [v.length], data: float64ToBytes(v) });
  switch (payload.kind) {
    case 'noop':
      return { ...req, noop: {} };
    case 'matvec':
      return { ...req, matvec: { x: t(payload.x) } };
    case 'mattvec':
      return { ...req, mattvec: { v: t(payload.v) } };
    case 'lsGradient':
      return {
        ...req,
        lsGradient: { x: payload.points ? { shape: [payload.points, payload.x.length / payload.points], data: float64ToBytes(payload.x) } : t(payload.x) },
      };
    case 'gram':
      return { ...req, gram: payload.d ? { d: t(payload.d) } : {} };
    case 'message':
      return { ...payload.fields, ...req };
  }
}

/** Doubles a payload carries to the workers (for the bytes-sent metric). */
export function payloadValues(p: TaskPayload): number {
  switch (p.kind) {
    case 'noop':
      return 0;
    case 'matvec':
    case 'lsGradient':
      return p.x.length;
    case 'mattvec':
      return p.v.length;
    case 'gram':
      return p.d?.length ?? 0;
    case 'message':
      return p.payloadValues ?? 0;
  }
}
