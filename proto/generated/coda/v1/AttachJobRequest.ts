// Original file: proto/coda/v1/master.proto


export interface AttachJobRequest {
  'jobId'?: (string);
}

export interface AttachJobRequest__Output {
  'jobId': (string);
}
