// Original file: proto/coda/v1/worker.proto

import type { KernelSpec as _coda_v1_KernelSpec, KernelSpec__Output as _coda_v1_KernelSpec__Output } from '../../coda/v1/KernelSpec';
import type { Long } from '@grpc/proto-loader';

/**
 * Builds this worker's preconditioner M_s (eq. 12) from a Nyström sample of its own slice and
 * keeps it for the job. Answers [σ_1..σ_{q+1} of K(nys,nys), max_i k(x_i,x_i)].
 */
export interface EigenproSetupTask {
  'kernel'?: (_coda_v1_KernelSpec | null);
  'ownBlock'?: (number);
  'nystromSize'?: (number);
  'topQ'?: (number);
  'seed'?: (number | string | Long);
}

/**
 * Builds this worker's preconditioner M_s (eq. 12) from a Nyström sample of its own slice and
 * keeps it for the job. Answers [σ_1..σ_{q+1} of K(nys,nys), max_i k(x_i,x_i)].
 */
export interface EigenproSetupTask__Output {
  'kernel': (_coda_v1_KernelSpec__Output | null);
  'ownBlock': (number);
  'nystromSize': (number);
  'topQ': (number);
  'seed': (string);
}
