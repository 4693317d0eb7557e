// Original file: proto/coda/v1/worker.proto


export interface OpenBulkReply {
  /**
   * The worker's bulk TCP port on the host the master dials for gRPC; 0: no bulk channel.
   */
  'port'?: (number);
  /**
   * 16 random bytes, good for one connection within a minute, for blocks of `job_id` only.
   */
  'ticket'?: (Buffer | Uint8Array | string);
}

export interface OpenBulkReply__Output {
  /**
   * The worker's bulk TCP port on the host the master dials for gRPC; 0: no bulk channel.
   */
  'port': (number);
  /**
   * 16 random bytes, good for one connection within a minute, for blocks of `job_id` only.
   */
  'ticket': (Buffer);
}
