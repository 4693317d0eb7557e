// Original file: proto/coda/v1/worker.proto


/**
 * A block this task touches, with the weight its contribution is multiplied by (the scheme's
 * encoding coefficient or rescaling).
 */
export interface WeightedBlock {
  'blockId'?: (number);
  'weight'?: (number | string);
}

/**
 * A block this task touches, with the weight its contribution is multiplied by (the scheme's
 * encoding coefficient or rescaling).
 */
export interface WeightedBlock__Output {
  'blockId': (number);
  'weight': (number);
}
