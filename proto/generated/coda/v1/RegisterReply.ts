// Original file: proto/coda/v1/master.proto


export interface RegisterReply {
  'index'?: (number);
  'heartbeatIntervalSeconds'?: (number | string);
  /**
   * Random per master process start. A worker that registers with a master id other than its
   * last one drops the blocks and chaos of the master before: nobody will ask for them again.
   */
  'masterId'?: (string);
}

export interface RegisterReply__Output {
  'index': (number);
  'heartbeatIntervalSeconds': (number);
  /**
   * Random per master process start. A worker that registers with a master id other than its
   * last one drops the blocks and chaos of the master before: nobody will ask for them again.
   */
  'masterId': (string);
}
