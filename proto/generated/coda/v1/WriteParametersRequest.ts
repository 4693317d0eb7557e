// Original file: proto/coda/v1/master.proto

import type { Slice as _coda_v1_Slice, Slice__Output as _coda_v1_Slice__Output } from '../../coda/v1/Slice';
import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

export interface WriteParametersRequest {
  'name'?: (string);
  'owner'?: (number);
  'slice'?: (_coda_v1_Slice | null);
  'values'?: (_coda_v1_Tensor | null);
}

export interface WriteParametersRequest__Output {
  'name': (string);
  'owner': (number);
  'slice': (_coda_v1_Slice__Output | null);
  'values': (_coda_v1_Tensor__Output | null);
}
