// Original file: proto/coda/v1/worker.proto


/**
 * One slice of a parameter vector: the job, the vector's name, the slice's index (its owner's slot).
 */
export interface SliceKey {
  'jobId'?: (string);
  'name'?: (string);
  'slice'?: (number);
}

/**
 * One slice of a parameter vector: the job, the vector's name, the slice's index (its owner's slot).
 */
export interface SliceKey__Output {
  'jobId': (string);
  'name': (string);
  'slice': (number);
}
