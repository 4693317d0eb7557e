// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * y = sum_i w_i A_i^T v_i, v given as the concatenation of the per-block vectors in block order
 */
export interface MatTVecTask {
  'v'?: (_coda_v1_Tensor | null);
}

/**
 * y = sum_i w_i A_i^T v_i, v given as the concatenation of the per-block vectors in block order
 */
export interface MatTVecTask__Output {
  'v': (_coda_v1_Tensor__Output | null);
}
