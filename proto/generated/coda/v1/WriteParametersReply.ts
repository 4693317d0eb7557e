// Original file: proto/coda/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface WriteParametersReply {
  'version'?: (number | string | Long);
  'totalVersion'?: (number | string | Long);
}

export interface WriteParametersReply__Output {
  'version': (string);
  'totalVersion': (string);
}
