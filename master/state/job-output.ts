/** A tensor to save as .npy beside result.json. */
export interface OutputTensor {
  shape: number[];
  values: Float64Array;
}

/** What a job produces: result.json's object (typed per job kind) and the tensors to save (file name -> shape + values). */
export interface JobOutput<R = unknown> {
  result: R;
  tensors: Record<string, OutputTensor>;
  /** One line for a terminal. */
  summary: string;
  /** Extra text files to write beside result.json (e.g. a model description), by file name. */
  files?: Record<string, string>;
  /** The per-round history the job streamed (RunContext.historyPath), written in full: moved to history.jsonl. */
  history?: { path: string; rounds: number };
}
