// Original file: proto/coda/v1/master.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

export interface JobFinished {
  /**
   * result.json's text.
   */
  'resultJson'?: (string);
  /**
   * The solution tensor(s), by file name (e.g. "x.npy").
   */
  'outputs'?: ({[key: string]: _coda_v1_Tensor});
  /**
   * The job's one-line (or table) summary for a terminal.
   */
  'summary'?: (string);
  /**
   * Extra text files written beside result.json (e.g. model.json), by file name.
   */
  'files'?: ({[key: string]: string});
}

export interface JobFinished__Output {
  /**
   * result.json's text.
   */
  'resultJson': (string);
  /**
   * The solution tensor(s), by file name (e.g. "x.npy").
   */
  'outputs': ({[key: string]: _coda_v1_Tensor__Output});
  /**
   * The job's one-line (or table) summary for a terminal.
   */
  'summary': (string);
  /**
   * Extra text files written beside result.json (e.g. model.json), by file name.
   */
  'files': ({[key: string]: string});
}
