// Original file: proto/coda/v1/master.proto


export interface JobFailed {
  /**
   * One line naming the problem.
   */
  'message'?: (string);
  /**
   * The exit code the CLI ends with: 2 bad input, 3 cluster failure.
   */
  'exitCode'?: (number);
  /**
   * The error's class in the error table (shared/errors/status.ts: ShapeError, ClusterError, ...);
   * empty when unknown (a job that failed under a previous master).
   */
  'errorClass'?: (string);
}

export interface JobFailed__Output {
  /**
   * One line naming the problem.
   */
  'message': (string);
  /**
   * The exit code the CLI ends with: 2 bad input, 3 cluster failure.
   */
  'exitCode': (number);
  /**
   * The error's class in the error table (shared/errors/status.ts: ShapeError, ClusterError, ...);
   * empty when unknown (a job that failed under a previous master).
   */
  'errorClass': (string);
}
