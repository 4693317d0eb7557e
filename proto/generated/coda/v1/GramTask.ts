// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * H = sum_i w_i A_i^T diag(d_i) A_i, d given as the concatenation of per-block diagonals
 */
export interface GramTask {
  'd'?: (_coda_v1_Tensor | null);
}

/**
 * H = sum_i w_i A_i^T diag(d_i) A_i, d given as the concatenation of per-block diagonals
 */
export interface GramTask__Output {
  'd': (_coda_v1_Tensor__Output | null);
}
