// Original file: proto/coda/v1/worker.proto

import type { DelaySpec as _coda_v1_DelaySpec, DelaySpec__Output as _coda_v1_DelaySpec__Output } from '../../coda/v1/DelaySpec';
import type { FaultSpec as _coda_v1_FaultSpec, FaultSpec__Output as _coda_v1_FaultSpec__Output } from '../../coda/v1/FaultSpec';
import type { Long } from '@grpc/proto-loader';

export interface WorkerConfig {
  'delay'?: (_coda_v1_DelaySpec | null);
  'fault'?: (_coda_v1_FaultSpec | null);
  'seed'?: (number | string | Long);
  /**
   * The job (session) this chaos belongs to; a reset names it too, so a late reset of a finished
   * job never clears the chaos of the next one.
   */
  'jobId'?: (string);
  /**
   * Tasks this worker runs at once under the worker-round delay model (0 counts as 1).
   */
  'cores'?: (number);
  /**
   * True: go back to no delay and no faults, if the current chaos is this job's.
   */
  'reset'?: (boolean);
  /**
   * True: replace the delay only (a chaos schedule's `set delay`), keeping the faults and their
   * task counter (crash_after_tasks counts on).
   */
  'delayOnly'?: (boolean);
}

export interface WorkerConfig__Output {
  'delay': (_coda_v1_DelaySpec__Output | null);
  'fault': (_coda_v1_FaultSpec__Output | null);
  'seed': (string);
  /**
   * The job (session) this chaos belongs to; a reset names it too, so a late reset of a finished
   * job never clears the chaos of the next one.
   */
  'jobId': (string);
  /**
   * Tasks this worker runs at once under the worker-round delay model (0 counts as 1).
   */
  'cores': (number);
  /**
   * True: go back to no delay and no faults, if the current chaos is this job's.
   */
  'reset': (boolean);
  /**
   * True: replace the delay only (a chaos schedule's `set delay`), keeping the faults and their
   * task counter (crash_after_tasks counts on).
   */
  'delayOnly': (boolean);
}
