// Original file: proto/coda/v1/master.proto


export interface HeartbeatRequest {
  'index'?: (number);
  'tasksRunning'?: (number);
  /**
   * The master process this worker registered with (RegisterReply.master_id): a restarted master
   * hands index i to whichever worker registers first, so the index alone cannot tell it that a
   * beat comes from a worker of its predecessor. Empty: not checked.
   */
  'masterId'?: (string);
}

export interface HeartbeatRequest__Output {
  'index': (number);
  'tasksRunning': (number);
  /**
   * The master process this worker registered with (RegisterReply.master_id): a restarted master
   * hands index i to whichever worker registers first, so the index alone cannot tell it that a
   * beat comes from a worker of its predecessor. Empty: not checked.
   */
  'masterId': (string);
}
