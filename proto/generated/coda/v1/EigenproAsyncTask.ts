// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

/**
 * AsyncEigenPro (Algorithm 1): loop read α from the master's store -> step on the own slice
 * (eq. 9-11) -> write the own slice, until the store's total version reaches `max_total_updates`
 * or `time_limit_seconds` passes. The injected delay is drawn per iteration, between read and
 * write. Answers [updates, τ mean, τ max, τ median, step used, seconds, τ histogram...].
 */
export interface EigenproAsyncTask {
  'parameter'?: (string);
  'owner'?: (number);
  'batchSize'?: (number);
  /**
   * > 0: fixed step; 0: automatic from the observed staleness τ.
   */
  'step'?: (number | string);
  /**
   * τ assumed before any has been observed (G − 1).
   */
  'expectedStaleness'?: (number | string);
  'maxTotalUpdates'?: (number | string | Long);
  'timeLimitSeconds'?: (number | string);
  'seed'?: (number | string | Long);
}

/**
 * AsyncEigenPro (Algorithm 1): loop read α from the master's store -> step on the own slice
 * (eq. 9-11) -> write the own slice, until the store's total version reaches `max_total_updates`
 * or `time_limit_seconds` passes. The injected delay is drawn per iteration, between read and
 * write. Answers [updates, τ mean, τ max, τ median, step used, seconds, τ histogram...].
 */
export interface EigenproAsyncTask__Output {
  'parameter': (string);
  'owner': (number);
  'batchSize': (number);
  /**
   * > 0: fixed step; 0: automatic from the observed staleness τ.
   */
  'step': (number);
  /**
   * τ assumed before any has been observed (G − 1).
   */
  'expectedStaleness': (number);
  'maxTotalUpdates': (string);
  'timeLimitSeconds': (number);
  'seed': (string);
}
