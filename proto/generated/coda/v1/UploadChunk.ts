// Original file: proto/coda/v1/master.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One message of an UploadArrays stream. An array starts with a message carrying its `name` and
 * `shape`; its bytes (little-endian float64 in C order, as Tensor.data) follow in that and the
 * next messages, in chunks of about 1 MiB (the chunking of placement), until 8 × the product of
 * its shape have arrived; then the next array starts.
 */
export interface UploadChunk {
  /**
   * Letters, digits, '.', '_', '-' (at most 64, not starting with punctuation); unique in an upload.
   */
  'name'?: (string);
  'shape'?: (number)[];
  'data'?: (Buffer | Uint8Array | string);
  /**
   * On the first message only: the bytes of every array of the upload together, so an upload too
   * large is refused before anything is stored.
   */
  'totalBytes'?: (number | string | Long);
}

/**
 * One message of an UploadArrays stream. An array starts with a message carrying its `name` and
 * `shape`; its bytes (little-endian float64 in C order, as Tensor.data) follow in that and the
 * next messages, in chunks of about 1 MiB (the chunking of placement), until 8 × the product of
 * its shape have arrived; then the next array starts.
 */
export interface UploadChunk__Output {
  /**
   * Letters, digits, '.', '_', '-' (at most 64, not starting with punctuation); unique in an upload.
   */
  'name': (string);
  'shape': (number)[];
  'data': (Buffer);
  /**
   * On the first message only: the bytes of every array of the upload together, so an upload too
   * large is refused before anything is stored.
   */
  'totalBytes': (string);
}
