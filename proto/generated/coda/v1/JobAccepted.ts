// Original file: proto/coda/v1/master.proto


export interface JobAccepted {
  'jobId'?: (string);
  /**
   * True when a previous master process accepted the job and this one resumed it (--state).
   */
  'resumed'?: (boolean);
}

export interface JobAccepted__Output {
  'jobId': (string);
  /**
   * True when a previous master process accepted the job and this one resumed it (--state).
   */
  'resumed': (boolean);
}
