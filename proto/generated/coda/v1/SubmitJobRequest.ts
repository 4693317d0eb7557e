// Original file: proto/coda/v1/master.proto


export interface SubmitJobRequest {
  /**
   * The job file's text (YAML); paths in it are resolved on the master's side.
   */
  'jobYaml'?: (string);
  /**
   * Chosen by the submitter (letters, digits, '.', '_', '-'; at most 64), so a retried submission
   * attaches to the job it already made instead of running it twice. Empty: the master picks one.
   */
  'jobId'?: (string);
  /**
   * An UploadArrays answer: the job's `upload:NAME` data paths name that upload's arrays, which
   * the job then owns (they are deleted when it ends, or at once when the job is refused).
   */
  'uploadId'?: (string);
}

export interface SubmitJobRequest__Output {
  /**
   * The job file's text (YAML); paths in it are resolved on the master's side.
   */
  'jobYaml': (string);
  /**
   * Chosen by the submitter (letters, digits, '.', '_', '-'; at most 64), so a retried submission
   * attaches to the job it already made instead of running it twice. Empty: the master picks one.
   */
  'jobId': (string);
  /**
   * An UploadArrays answer: the job's `upload:NAME` data paths name that upload's arrays, which
   * the job then owns (they are deleted when it ends, or at once when the job is refused).
   */
  'uploadId': (string);
}
