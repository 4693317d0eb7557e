// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';
import type { Long } from '@grpc/proto-loader';

export interface ReadSliceReply {
  'values'?: (_coda_v1_Tensor | null);
  /**
   * First index of the vector this slice covers.
   */
  'start'?: (number | string | Long);
  'version'?: (number | string | Long);
  /**
   * When `version` was written and when this reply copied the slice: µs since the Unix epoch on
   * the owner's clock.
   */
  'writtenAtUs'?: (number | string);
  'servedAtUs'?: (number | string);
  /**
   * With has_previous: when version previous_version + 1 was written (0: not yet), and how many
   * versions after previous_version were written at or before until_us.
   */
  'nextWrittenAtUs'?: (number | string);
  'writesUntil'?: (number);
  /**
   * False when some of those versions have left the owner's write history (a reader that fell
   * thousands of writes behind): the two fields above are then unknown.
   */
  'historyComplete'?: (boolean);
  /**
   * The owner's compute thread writes its slice in place while its event loop copies it for
   * readers, without a lock (worker/shared-slice.ts). torn: a write overlapped this copy;
   * mixed_elements: the copy holds elements of more than one version (a slice half written, the
   * paper's inconsistent read at the granularity of one element). `version` is then the lowest
   * version among the copied elements.
   */
  'torn'?: (boolean);
  'mixedElements'?: (boolean);
}

export interface ReadSliceReply__Output {
  'values': (_coda_v1_Tensor__Output | null);
  /**
   * First index of the vector this slice covers.
   */
  'start': (string);
  'version': (string);
  /**
   * When `version` was written and when this reply copied the slice: µs since the Unix epoch on
   * the owner's clock.
   */
  'writtenAtUs': (number);
  'servedAtUs': (number);
  /**
   * With has_previous: when version previous_version + 1 was written (0: not yet), and how many
   * versions after previous_version were written at or before until_us.
   */
  'nextWrittenAtUs': (number);
  'writesUntil': (number);
  /**
   * False when some of those versions have left the owner's write history (a reader that fell
   * thousands of writes behind): the two fields above are then unknown.
   */
  'historyComplete': (boolean);
  /**
   * The owner's compute thread writes its slice in place while its event loop copies it for
   * readers, without a lock (worker/shared-slice.ts). torn: a write overlapped this copy;
   * mixed_elements: the copy holds elements of more than one version (a slice half written, the
   * paper's inconsistent read at the granularity of one element). `version` is then the lowest
   * version among the copied elements.
   */
  'torn': (boolean);
  'mixedElements': (boolean);
}
