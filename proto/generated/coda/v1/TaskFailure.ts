// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A slot that could not run: `code` is a gRPC status code (INVALID_ARGUMENT: a bad task,
 * UNAVAILABLE: the worker is draining, INTERNAL, UNIMPLEMENTED).
 */
export interface TaskFailure {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  'slot'?: (number);
  'code'?: (number);
  'message'?: (string);
}

/**
 * A slot that could not run: `code` is a gRPC status code (INVALID_ARGUMENT: a bad task,
 * UNAVAILABLE: the worker is draining, INTERNAL, UNIMPLEMENTED).
 */
export interface TaskFailure__Output {
  'jobId': (string);
  'round': (string);
  'slot': (number);
  'code': (number);
  'message': (string);
}
