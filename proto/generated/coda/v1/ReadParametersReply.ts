// Original file: proto/coda/v1/master.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

export interface ReadParametersReply {
  'values'?: (_coda_v1_Tensor | null);
  /**
   * Per-slice version counters at the moment each slice was copied.
   */
  'sliceVersions'?: (number | string | Long)[];
  /**
   * Sum of all slice versions: a cheap global clock for staleness.
   */
  'totalVersion'?: (number | string | Long);
}

export interface ReadParametersReply__Output {
  'values': (_coda_v1_Tensor__Output | null);
  /**
   * Per-slice version counters at the moment each slice was copied.
   */
  'sliceVersions': (string)[];
  /**
   * Sum of all slice versions: a cheap global clock for staleness.
   */
  'totalVersion': (string);
}
