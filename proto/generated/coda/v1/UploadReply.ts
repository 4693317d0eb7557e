// Original file: proto/coda/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface UploadReply {
  'uploadId'?: (string);
  /**
   * The arrays received, in order.
   */
  'names'?: (string)[];
  'bytes'?: (number | string | Long);
}

export interface UploadReply__Output {
  'uploadId': (string);
  /**
   * The arrays received, in order.
   */
  'names': (string)[];
  'bytes': (string);
}
