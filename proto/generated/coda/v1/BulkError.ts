// Original file: proto/coda/v1/worker.proto


export interface BulkError {
  /**
   * A gRPC status code (3 INVALID_ARGUMENT, 7 PERMISSION_DENIED, 8 RESOURCE_EXHAUSTED, ...): the
   * master maps it as it maps a failed LoadBlocks.
   */
  'code'?: (number);
  'message'?: (string);
}

export interface BulkError__Output {
  /**
   * A gRPC status code (3 INVALID_ARGUMENT, 7 PERMISSION_DENIED, 8 RESOURCE_EXHAUSTED, ...): the
   * master maps it as it maps a failed LoadBlocks.
   */
  'code': (number);
  'message': (string);
}
