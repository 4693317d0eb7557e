// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

/**
 * out (b x cols) = sum_i w_i S_i^T diag(scale_i) A_i, S a count sketch of width b whose hash and
 * sign for global row r come from (seed, r) only, so partial sketches of row blocks add up.
 * scale given as the concatenation of per-block vectors (empty: all ones).
 */
export interface CountSketchTask {
  'scale'?: (_coda_v1_Tensor | null);
  'seed'?: (number | string | Long);
  'width'?: (number);
  /**
   * Return the block's Gram matrix B^T B (cols x cols), B = S^T diag(scale) A, instead of B: the
   * multiply of Fig. 3 done on the worker, so the master only adds N small matrices.
   */
  'gram'?: (boolean);
}

/**
 * out (b x cols) = sum_i w_i S_i^T diag(scale_i) A_i, S a count sketch of width b whose hash and
 * sign for global row r come from (seed, r) only, so partial sketches of row blocks add up.
 * scale given as the concatenation of per-block vectors (empty: all ones).
 */
export interface CountSketchTask__Output {
  'scale': (_coda_v1_Tensor__Output | null);
  'seed': (string);
  'width': (number);
  /**
   * Return the block's Gram matrix B^T B (cols x cols), B = S^T diag(scale) A, instead of B: the
   * multiply of Fig. 3 done on the worker, so the master only adds N small matrices.
   */
  'gram': (boolean);
}
