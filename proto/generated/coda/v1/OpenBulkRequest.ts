// Original file: proto/coda/v1/worker.proto


export interface OpenBulkRequest {
  'jobId'?: (string);
}

export interface OpenBulkRequest__Output {
  'jobId': (string);
}
