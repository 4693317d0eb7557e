// Original file: proto/coda/v1/master.proto

import type { JobProgress as _coda_v1_JobProgress, JobProgress__Output as _coda_v1_JobProgress__Output } from '../../coda/v1/JobProgress';
import type { JobFinished as _coda_v1_JobFinished, JobFinished__Output as _coda_v1_JobFinished__Output } from '../../coda/v1/JobFinished';
import type { JobAccepted as _coda_v1_JobAccepted, JobAccepted__Output as _coda_v1_JobAccepted__Output } from '../../coda/v1/JobAccepted';
import type { JobFailed as _coda_v1_JobFailed, JobFailed__Output as _coda_v1_JobFailed__Output } from '../../coda/v1/JobFailed';
import type { FileChunk as _coda_v1_FileChunk, FileChunk__Output as _coda_v1_FileChunk__Output } from '../../coda/v1/FileChunk';
import type { TensorChunk as _coda_v1_TensorChunk, TensorChunk__Output as _coda_v1_TensorChunk__Output } from '../../coda/v1/TensorChunk';

export interface JobEvent {
  'progress'?: (_coda_v1_JobProgress | null);
  'finished'?: (_coda_v1_JobFinished | null);
  'log'?: (string);
  'accepted'?: (_coda_v1_JobAccepted | null);
  /**
   * The job ended without a result; the stream then ends with OK (a failed job is an answer,
   * not a broken call, so a submitter never retries it).
   */
  'failed'?: (_coda_v1_JobFailed | null);
  /**
   * A chunk of an output file streamed to the submitter (history.jsonl).
   */
  'fileChunk'?: (_coda_v1_FileChunk | null);
  /**
   * A chunk of a solution tensor, before `finished`.
   */
  'tensorChunk'?: (_coda_v1_TensorChunk | null);
  'event'?: "progress"|"finished"|"log"|"accepted"|"failed"|"fileChunk"|"tensorChunk";
}

export interface JobEvent__Output {
  'progress'?: (_coda_v1_JobProgress__Output | null);
  'finished'?: (_coda_v1_JobFinished__Output | null);
  'log'?: (string);
  'accepted'?: (_coda_v1_JobAccepted__Output | null);
  /**
   * The job ended without a result; the stream then ends with OK (a failed job is an answer,
   * not a broken call, so a submitter never retries it).
   */
  'failed'?: (_coda_v1_JobFailed__Output | null);
  /**
   * A chunk of an output file streamed to the submitter (history.jsonl).
   */
  'fileChunk'?: (_coda_v1_FileChunk__Output | null);
  /**
   * A chunk of a solution tensor, before `finished`.
   */
  'tensorChunk'?: (_coda_v1_TensorChunk__Output | null);
  'event'?: "progress"|"finished"|"log"|"accepted"|"failed"|"fileChunk"|"tensorChunk";
}
