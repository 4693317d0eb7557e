// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface WriteSliceReply {
  'version'?: (number | string | Long);
  'writtenAtUs'?: (number | string);
}

export interface WriteSliceReply__Output {
  'version': (string);
  'writtenAtUs': (number);
}
