// Original file: proto/coda/v1/worker.proto

import type { SliceKey as _coda_v1_SliceKey, SliceKey__Output as _coda_v1_SliceKey__Output } from '../../coda/v1/SliceKey';
import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

export interface WriteSliceRequest {
  'key'?: (_coda_v1_SliceKey | null);
  'start'?: (number | string | Long);
  'values'?: (_coda_v1_Tensor | null);
  /**
   * The slice's new version: above its current one (FAILED_PRECONDITION otherwise, versions never
   * go back); a slice this worker does not hold yet may start at any version.
   */
  'version'?: (number | string | Long);
}

export interface WriteSliceRequest__Output {
  'key': (_coda_v1_SliceKey__Output | null);
  'start': (string);
  'values': (_coda_v1_Tensor__Output | null);
  /**
   * The slice's new version: above its current one (FAILED_PRECONDITION otherwise, versions never
   * go back); a slice this worker does not hold yet may start at any version.
   */
  'version': (string);
}
