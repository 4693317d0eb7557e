// Original file: proto/coda/v1/worker.proto

import type { SliceOwner as _coda_v1_SliceOwner, SliceOwner__Output as _coda_v1_SliceOwner__Output } from '../../coda/v1/SliceOwner';
import type { Long } from '@grpc/proto-loader';

/**
 * AsyncEigenPro (Algorithm 1): loop read α -> step on the own slice (eq. 9-11) -> write the own
 * slice, until the updates the read saw (the sum of the slices' versions) reach
 * `max_total_updates` or `time_limit_seconds` passes. With `owners` (the sharded store) α is read
 * from every slice's owner in parallel and the own slice is written in place by the worker's
 * compute thread (slice `owner` of the vector `parameter`, job `job_id`) while its event loop goes
 * on serving reads; without, from the master's store (ReadParameters, WriteParameters: the
 * centralized baseline). The injected delay is drawn per iteration, between read and write; the
 * task itself pays none. Answers shared/store's AsyncLegReport layout (updates, τ and read
 * statistics, the τ and read-latency histograms).
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
  /**
   * Every slice's owner, in slice order (the sharded store); empty: the master's store.
   */
  'owners'?: (_coda_v1_SliceOwner)[];
}

/**
 * AsyncEigenPro (Algorithm 1): loop read α -> step on the own slice (eq. 9-11) -> write the own
 * slice, until the updates the read saw (the sum of the slices' versions) reach
 * `max_total_updates` or `time_limit_seconds` passes. With `owners` (the sharded store) α is read
 * from every slice's owner in parallel and the own slice is written in place by the worker's
 * compute thread (slice `owner` of the vector `parameter`, job `job_id`) while its event loop goes
 * on serving reads; without, from the master's store (ReadParameters, WriteParameters: the
 * centralized baseline). The injected delay is drawn per iteration, between read and write; the
 * task itself pays none. Answers shared/store's AsyncLegReport layout (updates, τ and read
 * statistics, the τ and read-latency histograms).
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
  /**
   * Every slice's owner, in slice order (the sharded store); empty: the master's store.
   */
  'owners': (_coda_v1_SliceOwner__Output)[];
}
