// Original file: proto/coda/v1/worker.proto

import type { TaskTimings as _coda_v1_TaskTimings, TaskTimings__Output as _coda_v1_TaskTimings__Output } from '../../coda/v1/TaskTimings';
import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

export interface TaskResult {
  'workerIndex'?: (number);
  'round'?: (number | string | Long);
  'slot'?: (number);
  'timings'?: (_coda_v1_TaskTimings | null);
  'payload'?: (_coda_v1_Tensor | null);
  'jobId'?: (string);
}

export interface TaskResult__Output {
  'workerIndex': (number);
  'round': (string);
  'slot': (number);
  'timings': (_coda_v1_TaskTimings__Output | null);
  'payload': (_coda_v1_Tensor__Output | null);
  'jobId': (string);
}
