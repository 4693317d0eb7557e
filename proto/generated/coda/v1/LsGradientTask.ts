// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * g = sum_i w_i A_i^T (A_i x - b_i)
 */
export interface LsGradientTask {
  'x'?: (_coda_v1_Tensor | null);
}

/**
 * g = sum_i w_i A_i^T (A_i x - b_i)
 */
export interface LsGradientTask__Output {
  'x': (_coda_v1_Tensor__Output | null);
}
