// Original file: proto/coda/v1/master.proto


export interface HeartbeatRequest {
  'index'?: (number);
  'tasksRunning'?: (number);
}

export interface HeartbeatRequest__Output {
  'index': (number);
  'tasksRunning': (number);
}
