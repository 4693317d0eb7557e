// Original file: proto/coda/v1/master.proto


/**
 * A piece of a file the job wrote as it ran (its per-round history.jsonl, which can be large),
 * streamed in order before `finished`, so neither side holds it whole.
 */
export interface FileChunk {
  'name'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * A piece of a file the job wrote as it ran (its per-round history.jsonl, which can be large),
 * streamed in order before `finished`, so neither side holds it whole.
 */
export interface FileChunk__Output {
  'name': (string);
  'data': (Buffer);
}
