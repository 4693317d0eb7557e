// Original file: proto/coda/v1/master.proto

import type { Slice as _coda_v1_Slice, Slice__Output as _coda_v1_Slice__Output } from '../../coda/v1/Slice';

export interface ReadParametersRequest {
  'name'?: (string);
  /**
   * Absent: the whole vector.
   */
  'slice'?: (_coda_v1_Slice | null);
}

export interface ReadParametersRequest__Output {
  'name': (string);
  /**
   * Absent: the whole vector.
   */
  'slice': (_coda_v1_Slice__Output | null);
}
