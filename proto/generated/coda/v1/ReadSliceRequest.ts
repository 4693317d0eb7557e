// Original file: proto/coda/v1/worker.proto

import type { SliceKey as _coda_v1_SliceKey, SliceKey__Output as _coda_v1_SliceKey__Output } from '../../coda/v1/SliceKey';
import type { Long } from '@grpc/proto-loader';

export interface ReadSliceRequest {
  'key'?: (_coda_v1_SliceKey | null);
  /**
   * Versions and times only, no values (the master's progress polls).
   */
  'skipValues'?: (boolean);
  /**
   * With has_previous: the version of this slice the reader got at its previous read, and a time
   * (µs since the Unix epoch): the reply then also says when the write after that version
   * happened and how many writes came after it up to until_us (the reader's staleness
   * bookkeeping, worker/read-bookkeeping.ts).
   */
  'hasPrevious'?: (boolean);
  'previousVersion'?: (number | string | Long);
  'untilUs'?: (number | string);
}

export interface ReadSliceRequest__Output {
  'key': (_coda_v1_SliceKey__Output | null);
  /**
   * Versions and times only, no values (the master's progress polls).
   */
  'skipValues': (boolean);
  /**
   * With has_previous: the version of this slice the reader got at its previous read, and a time
   * (µs since the Unix epoch): the reply then also says when the write after that version
   * happened and how many writes came after it up to until_us (the reader's staleness
   * bookkeeping, worker/read-bookkeeping.ts).
   */
  'hasPrevious': (boolean);
  'previousVersion': (string);
  'untilUs': (number);
}
