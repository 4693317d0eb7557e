// Original file: proto/coda/v1/worker.proto


export interface FaultSpec {
  /**
   * answer nothing (the call stays open until cancelled)
   */
  'dropProbability'?: (number | string);
  /**
   * same as drop, but logged as a hang
   */
  'hangProbability'?: (number | string);
  /**
   * exit the process after this many tasks (0 = never)
   */
  'crashAfterTasks'?: (number);
}

export interface FaultSpec__Output {
  /**
   * answer nothing (the call stays open until cancelled)
   */
  'dropProbability': (number);
  /**
   * same as drop, but logged as a hang
   */
  'hangProbability': (number);
  /**
   * exit the process after this many tasks (0 = never)
   */
  'crashAfterTasks': (number);
}
