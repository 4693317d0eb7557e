// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

/**
 * One synchronous EigenPro step (eq. 5-7 with this worker's M_s) on a batch from the own slice.
 * Answers the change of the own slice of α (dense, slice length).
 */
export interface EigenproStepTask {
  'alpha'?: (_coda_v1_Tensor | null);
  'batchSize'?: (number);
  'step'?: (number | string);
  /**
   * g = gradient_scale · (K(batch, n) α − y_batch): 1/(total batch of the round).
   */
  'gradientScale'?: (number | string);
  'seed'?: (number | string | Long);
}

/**
 * One synchronous EigenPro step (eq. 5-7 with this worker's M_s) on a batch from the own slice.
 * Answers the change of the own slice of α (dense, slice length).
 */
export interface EigenproStepTask__Output {
  'alpha': (_coda_v1_Tensor__Output | null);
  'batchSize': (number);
  'step': (number);
  /**
   * g = gradient_scale · (K(batch, n) α − y_batch): 1/(total batch of the round).
   */
  'gradientScale': (number);
  'seed': (string);
}
