// Original file: proto/coda/v1/master.proto


export interface CancelJobReply {
  /**
   * false when the job had already ended.
   */
  'cancelled'?: (boolean);
}

export interface CancelJobReply__Output {
  /**
   * false when the job had already ended.
   */
  'cancelled': (boolean);
}
