// Original file: proto/coda/v1/worker.proto


export interface DropSlicesRequest {
  'jobId'?: (string);
  'name'?: (string);
}

export interface DropSlicesRequest__Output {
  'jobId': (string);
  'name': (string);
}
