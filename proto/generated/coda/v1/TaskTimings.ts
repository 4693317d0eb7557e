// Original file: proto/coda/v1/worker.proto


export interface TaskTimings {
  'computeSeconds'?: (number | string);
  'injectedDelaySeconds'?: (number | string);
  'queueSeconds'?: (number | string);
}

export interface TaskTimings__Output {
  'computeSeconds': (number);
  'injectedDelaySeconds': (number);
  'queueSeconds': (number);
}
