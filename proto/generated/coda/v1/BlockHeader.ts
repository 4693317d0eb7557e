// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

export interface BlockHeader {
  'jobId'?: (string);
  'blockId'?: (number);
  /**
   * Shape of the stored matrix block (rows, cols).
   */
  'shape'?: (number)[];
  /**
   * Optional right-hand side carried with the block (e.g. b_i for least squares), as a tensor.
   */
  'rhs'?: (_coda_v1_Tensor | null);
  /**
   * Total number of data bytes that follow for this block.
   */
  'totalBytes'?: (number | string | Long);
}

export interface BlockHeader__Output {
  'jobId': (string);
  'blockId': (number);
  /**
   * Shape of the stored matrix block (rows, cols).
   */
  'shape': (number)[];
  /**
   * Optional right-hand side carried with the block (e.g. b_i for least squares), as a tensor.
   */
  'rhs': (_coda_v1_Tensor__Output | null);
  /**
   * Total number of data bytes that follow for this block.
   */
  'totalBytes': (string);
}
