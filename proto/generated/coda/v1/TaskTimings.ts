// Original file: proto/coda/v1/worker.proto


export interface TaskTimings {
  'computeSeconds'?: (number | string);
  'injectedDelaySeconds'?: (number | string);
  'queueSeconds'?: (number | string);
  /**
   * The worker process's event-loop lag (the loop that serves gRPC: how late it runs what is
   * due) since this job's first task on the process: 99th percentile and maximum, sampled every
   * 10 ms. The latest result of a worker covers the job so far.
   */
  'loopLagP99Seconds'?: (number | string);
  'loopLagMaxSeconds'?: (number | string);
}

export interface TaskTimings__Output {
  'computeSeconds': (number);
  'injectedDelaySeconds': (number);
  'queueSeconds': (number);
  /**
   * The worker process's event-loop lag (the loop that serves gRPC: how late it runs what is
   * due) since this job's first task on the process: 99th percentile and maximum, sampled every
   * 10 ms. The latest result of a worker covers the job so far.
   */
  'loopLagP99Seconds': (number);
  'loopLagMaxSeconds': (number);
}
