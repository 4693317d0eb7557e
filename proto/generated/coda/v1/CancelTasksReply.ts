// Original file: proto/coda/v1/worker.proto


export interface CancelTasksReply {
  'cancelled'?: (number);
}

export interface CancelTasksReply__Output {
  'cancelled': (number);
}
