// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * GIANT's local Newton direction: sum_i w_i H_i^{-1} g with
 * H_i = (1/rows_i) A_i^T diag(gamma_i) A_i + lambda I at the point w.
 */
export interface LocalNewtonTask {
  'w'?: (_coda_v1_Tensor | null);
  'g'?: (_coda_v1_Tensor | null);
  'lambda'?: (number | string);
}

/**
 * GIANT's local Newton direction: sum_i w_i H_i^{-1} g with
 * H_i = (1/rows_i) A_i^T diag(gamma_i) A_i + lambda I at the point w.
 */
export interface LocalNewtonTask__Output {
  'w': (_coda_v1_Tensor__Output | null);
  'g': (_coda_v1_Tensor__Output | null);
  'lambda': (number);
}
