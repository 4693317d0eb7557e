// Original file: proto/coda/v1/master.proto


/**
 * A piece of a solution tensor (e.g. "x.npy"), streamed in order before `finished`: the first
 * chunk of a tensor carries its name and shape, the following ones its name and more bytes
 * (little-endian float64, C order, about 1 MiB a chunk), until 8 × the product of the shape.
 */
export interface TensorChunk {
  'name'?: (string);
  'shape'?: (number)[];
  'data'?: (Buffer | Uint8Array | string);
  /**
   * True on a tensor's first chunk (a tensor with no values has only that one).
   */
  'first'?: (boolean);
}

/**
 * A piece of a solution tensor (e.g. "x.npy"), streamed in order before `finished`: the first
 * chunk of a tensor carries its name and shape, the following ones its name and more bytes
 * (little-endian float64, C order, about 1 MiB a chunk), until 8 × the product of the shape.
 */
export interface TensorChunk__Output {
  'name': (string);
  'shape': (number)[];
  'data': (Buffer);
  /**
   * True on a tensor's first chunk (a tensor with no values has only that one).
   */
  'first': (boolean);
}
