// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface BlockHeader {
  'jobId'?: (string);
  'blockId'?: (number);
  /**
   * Shape of the stored matrix block (rows, cols).
   */
  'shape'?: (number)[];
  /**
   * True when a right-hand side (one value per row: b_i for least squares, labels, ...) follows
   * the matrix bytes.
   */
  'hasRhs'?: (boolean);
  /**
   * Data bytes that follow for this block: rows*cols*8, plus rows*8 when has_rhs.
   */
  'totalBytes'?: (number | string | Long);
  /**
   * Global index of the block's first row (for kernels that hash rows, e.g. count sketches).
   */
  'rowOffset'?: (number | string | Long);
}

export interface BlockHeader__Output {
  'jobId': (string);
  'blockId': (number);
  /**
   * Shape of the stored matrix block (rows, cols).
   */
  'shape': (number)[];
  /**
   * True when a right-hand side (one value per row: b_i for least squares, labels, ...) follows
   * the matrix bytes.
   */
  'hasRhs': (boolean);
  /**
   * Data bytes that follow for this block: rows*cols*8, plus rows*8 when has_rhs.
   */
  'totalBytes': (string);
  /**
   * Global index of the block's first row (for kernels that hash rows, e.g. count sketches).
   */
  'rowOffset': (string);
}
