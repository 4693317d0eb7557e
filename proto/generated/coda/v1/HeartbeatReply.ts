// Original file: proto/coda/v1/master.proto


export interface HeartbeatReply {
  /**
   * false when the master no longer knows this worker (it should register again).
   */
  'known'?: (boolean);
  /**
   * The interval the worker should beat at from now on: it grows with the cluster (Dask's rule)
   * so the master sees at most about 200 heartbeats a second in all.
   */
  'heartbeatIntervalSeconds'?: (number | string);
}

export interface HeartbeatReply__Output {
  /**
   * false when the master no longer knows this worker (it should register again).
   */
  'known': (boolean);
  /**
   * The interval the worker should beat at from now on: it grows with the cluster (Dask's rule)
   * so the master sees at most about 200 heartbeats a second in all.
   */
  'heartbeatIntervalSeconds': (number);
}
