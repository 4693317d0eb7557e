// Original file: proto/coda/v1/master.proto


export interface HeartbeatReply {
  /**
   * false when the master no longer knows this worker (it should register again).
   */
  'known'?: (boolean);
}

export interface HeartbeatReply__Output {
  /**
   * false when the master no longer knows this worker (it should register again).
   */
  'known': (boolean);
}
