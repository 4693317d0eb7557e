// Original file: proto/coda/v1/worker.proto

import type { DelaySpec as _coda_v1_DelaySpec, DelaySpec__Output as _coda_v1_DelaySpec__Output } from '../../coda/v1/DelaySpec';
import type { FaultSpec as _coda_v1_FaultSpec, FaultSpec__Output as _coda_v1_FaultSpec__Output } from '../../coda/v1/FaultSpec';
import type { Long } from '@grpc/proto-loader';

export interface WorkerConfig {
  'delay'?: (_coda_v1_DelaySpec | null);
  'fault'?: (_coda_v1_FaultSpec | null);
  'seed'?: (number | string | Long);
}

export interface WorkerConfig__Output {
  'delay': (_coda_v1_DelaySpec__Output | null);
  'fault': (_coda_v1_FaultSpec__Output | null);
  'seed': (string);
}
