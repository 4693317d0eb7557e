// Original file: proto/coda/v1/master.proto


export interface JobFinished {
  /**
   * result.json's text.
   */
  'resultJson'?: (string);
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
   * The job's one-line (or table) summary for a terminal.
   */
  'summary': (string);
  /**
   * Extra text files written beside result.json (e.g. model.json), by file name.
   */
  'files': ({[key: string]: string});
}
