// Original file: proto/coda/v1/worker.proto


export interface DropBlocksRequest {
  'jobId'?: (string);
  'blockIds'?: (number)[];
}

export interface DropBlocksRequest__Output {
  'jobId': (string);
  'blockIds': (number)[];
}
