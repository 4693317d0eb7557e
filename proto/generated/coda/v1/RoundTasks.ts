// Original file: proto/coda/v1/worker.proto

import type { TaskRequest as _coda_v1_TaskRequest, TaskRequest__Output as _coda_v1_TaskRequest__Output } from '../../coda/v1/TaskRequest';
import type { Long } from '@grpc/proto-loader';

/**
 * A round's tasks for one worker, in one message.
 */
export interface RoundTasks {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  /**
   * Kind and payload every slot below runs unless it carries a kind of its own: the iterate is
   * sent once per worker, not once per slot.
   */
  'shared'?: (_coda_v1_TaskRequest | null);
  /**
   * This worker's slots: slot, blocks and work set; job_id and round are taken from above.
   */
  'slots'?: (_coda_v1_TaskRequest)[];
}

/**
 * A round's tasks for one worker, in one message.
 */
export interface RoundTasks__Output {
  'jobId': (string);
  'round': (string);
  /**
   * Kind and payload every slot below runs unless it carries a kind of its own: the iterate is
   * sent once per worker, not once per slot.
   */
  'shared': (_coda_v1_TaskRequest__Output | null);
  /**
   * This worker's slots: slot, blocks and work set; job_id and round are taken from above.
   */
  'slots': (_coda_v1_TaskRequest__Output)[];
}
