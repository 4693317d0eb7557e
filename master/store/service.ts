import { toServiceError } from '../../shared/errors';
import { float64ToBytes } from '../../shared/tensor';
import { tensorValues, type pb } from '../../shared/wire';
import type { MasterMetrics } from '../metrics';
import type { ParameterStore } from './parameter-store';

type Handlers = Pick<pb.MasterHandlers, 'ReadParameters' | 'WriteParameters'>;

/** The gRPC shell over ParameterStore (the token is checked by the server's interceptor). */
export function storeHandlers(store: ParameterStore, metrics: MasterMetrics): Handlers {
  return {
    ReadParameters(call, callback) {
      try {
        const v = store.get(call.request.name);
        const s = call.request.slice;
        const r = s ? v.read(s.start, s.end) : v.read();
        metrics.parameterReads.inc({ name: v.name });
        callback(null, {
          values: { shape: [r.values.length], data: float64ToBytes(r.values) },
          sliceVersions: r.versions.map(String),
          totalVersion: String(r.totalVersion),
        });
      } catch (e) {
        callback(toServiceError(e));
      }
    },
    WriteParameters(call, callback) {
      try {
        const v = store.get(call.request.name);
        const values = tensorValues(call.request.values, 'WriteParameters.values');
        const version = v.write(call.request.owner, call.request.slice?.start ?? v.slices[call.request.owner]?.start ?? 0, values);
        metrics.parameterWrites.inc({ name: v.name });
        callback(null, { version: String(version), totalVersion: String(v.totalVersion) });
      } catch (e) {
        callback(toServiceError(e));
      }
    },
  };
}
