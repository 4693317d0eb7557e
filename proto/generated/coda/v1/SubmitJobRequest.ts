// Original file: proto/coda/v1/master.proto


export interface SubmitJobRequest {
  /**
   * The job file's text (YAML); paths in it are resolved on the master's side.
   */
  'jobYaml'?: (string);
}

export interface SubmitJobRequest__Output {
  /**
   * The job file's text (YAML); paths in it are resolved on the master's side.
   */
  'jobYaml': (string);
}
