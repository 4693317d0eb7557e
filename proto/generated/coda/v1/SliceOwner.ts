// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Who owns a slice of a sharded parameter vector, and where to read it.
 */
export interface SliceOwner {
  /**
   * host:port of the owner's Worker service.
   */
  'address'?: (string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
}

/**
 * Who owns a slice of a sharded parameter vector, and where to read it.
 */
export interface SliceOwner__Output {
  /**
   * host:port of the owner's Worker service.
   */
  'address': (string);
  'start': (string);
  'end': (string);
}
