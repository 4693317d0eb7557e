// Original file: proto/coda/v1/worker.proto

import type { TaskResult as _coda_v1_TaskResult, TaskResult__Output as _coda_v1_TaskResult__Output } from '../../coda/v1/TaskResult';
import type { TaskFailure as _coda_v1_TaskFailure, TaskFailure__Output as _coda_v1_TaskFailure__Output } from '../../coda/v1/TaskFailure';

export interface TaskStreamReply {
  'result'?: (_coda_v1_TaskResult | null);
  'failure'?: (_coda_v1_TaskFailure | null);
  'message'?: "result"|"failure";
}

export interface TaskStreamReply__Output {
  'result'?: (_coda_v1_TaskResult__Output | null);
  'failure'?: (_coda_v1_TaskFailure__Output | null);
  'message'?: "result"|"failure";
}
