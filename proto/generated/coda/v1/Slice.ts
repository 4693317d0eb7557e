// Original file: proto/coda/v1/tensor.proto


/**
 * A contiguous range [start, end) of a parameter vector.
 */
export interface Slice {
  'start'?: (number);
  'end'?: (number);
}

/**
 * A contiguous range [start, end) of a parameter vector.
 */
export interface Slice__Output {
  'start': (number);
  'end': (number);
}
