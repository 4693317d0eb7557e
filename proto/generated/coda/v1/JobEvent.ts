// Original file: proto/coda/v1/master.proto

import type { JobProgress as _coda_v1_JobProgress, JobProgress__Output as _coda_v1_JobProgress__Output } from '../../coda/v1/JobProgress';
import type { JobFinished as _coda_v1_JobFinished, JobFinished__Output as _coda_v1_JobFinished__Output } from '../../coda/v1/JobFinished';
import type { FileChunk as _coda_v1_FileChunk, FileChunk__Output as _coda_v1_FileChunk__Output } from '../../coda/v1/FileChunk';

export interface JobEvent {
  'progress'?: (_coda_v1_JobProgress | null);
  'finished'?: (_coda_v1_JobFinished | null);
  'log'?: (string);
  'fileChunk'?: (_coda_v1_FileChunk | null);
  'event'?: "progress"|"finished"|"log"|"fileChunk";
}

export interface JobEvent__Output {
  'progress'?: (_coda_v1_JobProgress__Output | null);
  'finished'?: (_coda_v1_JobFinished__Output | null);
  'log'?: (string);
  'fileChunk'?: (_coda_v1_FileChunk__Output | null);
  'event'?: "progress"|"finished"|"log"|"fileChunk";
}
