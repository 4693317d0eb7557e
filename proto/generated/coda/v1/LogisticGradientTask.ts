// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

/**
 * Per block (labels y_i = +-1 in the block's rhs): [sum_i w_i A_i^T beta_i ; sum_i w_i loss_i],
 * beta_r = -y_r / (1 + exp(y_r a_r^T w)), loss_r = log(1 + exp(-y_r a_r^T w)). cols + 1 values.
 */
export interface LogisticGradientTask {
  'w'?: (_coda_v1_Tensor | null);
}

/**
 * Per block (labels y_i = +-1 in the block's rhs): [sum_i w_i A_i^T beta_i ; sum_i w_i loss_i],
 * beta_r = -y_r / (1 + exp(y_r a_r^T w)), loss_r = log(1 + exp(-y_r a_r^T w)). cols + 1 values.
 */
export interface LogisticGradientTask__Output {
  'w': (_coda_v1_Tensor__Output | null);
}
