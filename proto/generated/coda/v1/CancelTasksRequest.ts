// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface CancelTasksRequest {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  'slots'?: (number)[];
}

export interface CancelTasksRequest__Output {
  'jobId': (string);
  'round': (string);
  'slots': (number)[];
}
