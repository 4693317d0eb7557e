// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * y = sum_i w_i A_i x   (blocks must have the same row count)
 */
export interface MatVecTask {
  'x'?: (_coda_v1_Tensor | null);
}

/**
 * y = sum_i w_i A_i x   (blocks must have the same row count)
 */
export interface MatVecTask__Output {
  'x': (_coda_v1_Tensor__Output | null);
}
