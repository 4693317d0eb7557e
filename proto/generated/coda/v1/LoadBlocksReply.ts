// Original file: proto/coda/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface LoadBlocksReply {
  'blocksStored'?: (number);
  'bytesReceived'?: (number | string | Long);
}

export interface LoadBlocksReply__Output {
  'blocksStored': (number);
  'bytesReceived': (string);
}
