/**
 * The master's long array work off its event loop: data generation and loading, padded copies,
 * coded stored blocks, the logistic reference, on the linear-algebra compute thread (one pool).
 */
export { type MasterCompute, masterCompute, inlineMasterCompute, masterThreadEntry } from './master-compute';
export { MASTER_THREAD_OPS, type MasterThreadOps, type ReferenceSettings, sharedArray, toShared } from './thread-ops';
