import { float64ToBytes } from '../../shared/tensor';
import type { pb } from '../../shared/wire';
import type { KindName, TaskPayload } from '../../algorithms/compute-cluster';

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

/** The proto task kind of a payload. */
export function payloadKind(p: TaskPayload): KindName {
  return p.kind === 'message' ? p.name : p.kind;
}
