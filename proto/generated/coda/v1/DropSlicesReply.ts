// Original file: proto/coda/v1/worker.proto


export interface DropSlicesReply {
  'dropped'?: (number);
}

export interface DropSlicesReply__Output {
  'dropped': (number);
}
