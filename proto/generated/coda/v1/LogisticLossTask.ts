// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * Line search on local data: for each step s_k, sum_i w_i sum_r [loss(w + s_k p) - loss(w)] on row r,
 * loss = log(1 + exp(-y_r a_r^T .)), computed without cancellation (the change may be ~1e-16 of f).
 */
export interface LogisticLossTask {
  'w'?: (_coda_v1_Tensor | null);
  'p'?: (_coda_v1_Tensor | null);
  'steps'?: (_coda_v1_Tensor | null);
}

/**
 * Line search on local data: for each step s_k, sum_i w_i sum_r [loss(w + s_k p) - loss(w)] on row r,
 * loss = log(1 + exp(-y_r a_r^T .)), computed without cancellation (the change may be ~1e-16 of f).
 */
export interface LogisticLossTask__Output {
  'w': (_coda_v1_Tensor__Output | null);
  'p': (_coda_v1_Tensor__Output | null);
  'steps': (_coda_v1_Tensor__Output | null);
}
