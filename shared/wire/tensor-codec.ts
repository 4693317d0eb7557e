import type { Tensor, Tensor__Output } from '../../proto/generated/coda/v1/Tensor';
import { InputError } from '../errors';
import { bytesToFloat64, float64ToBytes } from '../tensor';

export function vectorToTensor(v: Float64Array): Tensor {
  return { shape: [v.length], data: float64ToBytes(v) };
}

/** The tensor's values; checks that its bytes match its shape. */
export function tensorValues(t: Tensor__Output | null | undefined, what: string): Float64Array {
  if (!t) throw new InputError(`${what}: missing tensor`);
  const values = bytesToFloat64(t.data, what);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new InputError(`${what}: shape (${t.shape.join(', ')}) needs ${count} values, got ${values.length}`);
  }
  return values;
}
