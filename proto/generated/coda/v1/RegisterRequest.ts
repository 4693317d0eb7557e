// Original file: proto/coda/v1/master.proto


export interface RegisterRequest {
  /**
   * host:port the worker's gRPC server listens on, as the master should dial it.
   */
  'address'?: (string);
  /**
   * Requested index (e.g. a StatefulSet ordinal); -1 lets the master choose.
   */
  'requestedIndex'?: (number);
  'pid'?: (number);
}

export interface RegisterRequest__Output {
  /**
   * host:port the worker's gRPC server listens on, as the master should dial it.
   */
  'address': (string);
  /**
   * Requested index (e.g. a StatefulSet ordinal); -1 lets the master choose.
   */
  'requestedIndex': (number);
  'pid': (number);
}
