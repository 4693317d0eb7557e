import type { Matrix } from '../../shared/tensor';

/** A sketched least-squares pair (S·A, S·b). */
export interface Sketched {
  SA: Matrix;
  Sb: Float64Array;
}
