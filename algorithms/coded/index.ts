/**
 * Coded matrix-vector products (Lee et al.; OverSketched Newton's Fig. 2): X·v and Xᵀ·u, each
 * over an mds code of row blocks placed once, exact from any k of n answers. Used by least
 * squares under `scheme: mds` and by the logistic-regression gradient.
 *
 *   const coded = await CodedProducts.place(cluster, jobId, X, chooseScheme({ name: 'mds' }), k, seed);
 *   const { value } = await coded.timesX(v);
 */
export { CodedProducts, stacksProducts, type CodedProduct } from './products';
export { stackedPlan, StackDecoder } from './stacked';
export { padRows, paddedTranspose, equalBlockStarts } from './padding';
