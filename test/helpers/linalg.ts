import { inlineLinalg, selectLinalg, type AsyncLinalg } from '../../shared/linalg';

/**
 * The master's linear algebra answered inline (LAPACK when the addon is built, else ml-matrix):
 * for tests that call an algorithm's master-side step, or build a reference, without a cluster.
 */
export const inlineLa: AsyncLinalg = inlineLinalg(selectLinalg({ backend: 'auto' }).linalg);
