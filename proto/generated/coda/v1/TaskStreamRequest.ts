// Original file: proto/coda/v1/worker.proto

import type { RoundTasks as _coda_v1_RoundTasks, RoundTasks__Output as _coda_v1_RoundTasks__Output } from '../../coda/v1/RoundTasks';
import type { CancelTasksRequest as _coda_v1_CancelTasksRequest, CancelTasksRequest__Output as _coda_v1_CancelTasksRequest__Output } from '../../coda/v1/CancelTasksRequest';

export interface TaskStreamRequest {
  'round'?: (_coda_v1_RoundTasks | null);
  'cancel'?: (_coda_v1_CancelTasksRequest | null);
  'message'?: "round"|"cancel";
}

export interface TaskStreamRequest__Output {
  'round'?: (_coda_v1_RoundTasks__Output | null);
  'cancel'?: (_coda_v1_CancelTasksRequest__Output | null);
  'message'?: "round"|"cancel";
}
