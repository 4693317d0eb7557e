// Original file: proto/coda/v1/worker.proto


export interface DropBlocksReply {
  'blocksDropped'?: (number);
}

export interface DropBlocksReply__Output {
  'blocksDropped': (number);
}
