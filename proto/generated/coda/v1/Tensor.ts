// Original file: proto/coda/v1/tensor.proto


/**
 * A dense float64 tensor. `data` is little-endian IEEE-754 doubles in C (row-major) order;
 * the number of doubles is the product of `shape`. Bytes rather than `repeated double` so a
 * vector costs one copy on each side instead of a varint walk per element.
 */
export interface Tensor {
  'shape'?: (number)[];
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * A dense float64 tensor. `data` is little-endian IEEE-754 doubles in C (row-major) order;
 * the number of doubles is the product of `shape`. Bytes rather than `repeated double` so a
 * vector costs one copy on each side instead of a varint walk per element.
 */
export interface Tensor__Output {
  'shape': (number)[];
  'data': (Buffer);
}
