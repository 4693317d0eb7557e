// Original file: proto/coda/v1/master.proto


export interface RegisterReply {
  'index'?: (number);
  'heartbeatIntervalSeconds'?: (number | string);
}

export interface RegisterReply__Output {
  'index': (number);
  'heartbeatIntervalSeconds': (number);
}
