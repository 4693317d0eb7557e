import type { Tensor, Tensor__Output } from '../../proto/generated/coda/v1/Tensor';
import { InputError } from '../errors';
import { bytesToFloat64, float64ToBytes, type Matrix } from '../tensor';

export function vectorToTensor(v: Float64Array): Tensor {
  return { shape: [v.length], data: float64ToBytes(v) };
}

export function matrixToTensor(m: Matrix): Tensor {
  return { shape: [m.rows, m.cols], data: float64ToBytes(m.data) };
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

export function tensorToMatrix(t: Tensor__Output | null | undefined, what: string): Matrix {
  const data = tensorValues(t, what);
  const shape = t!.shape;
  if (shape.length === 1) return { rows: shape[0]!, cols: 1, data };
  if (shape.length === 2) return { rows: shape[0]!, cols: shape[1]!, data };
  throw new InputError(`${what}: expected a 1-D or 2-D tensor, got shape (${shape.join(', ')})`);
}
