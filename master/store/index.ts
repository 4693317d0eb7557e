/**
 * Parameter stores of asynchronous jobs (AsyncEigenPro's α).
 *
 * The sharded store (the default): each worker owns a slice and serves it; the master only
 * creates the slices, gathers them for snapshots and drops them.
 *
 *   const alpha = await cluster.shards.create(jobId, 'alpha', layout);  // WriteSlice on each owner
 *   task.owners = alpha.owners;                                        // the workers read each other
 *   const { values, versions, updates } = await alpha.gather();       // a snapshot
 *
 * The centralized store (`store: master`, the baseline): α on the master, read and written by
 * the workers through ReadParameters/WriteParameters.
 *
 *   const alpha = store.create('alpha', n, workers);
 *   alpha.write(owner, alpha.slices[owner].start, values);   // only the owner's slice
 */
export { ParameterStore, ParameterVector, type SliceInfo } from './parameter-store';
export { storeHandlers } from './service';
export { ShardedStore, ShardedVector, type Gathered, type SliceLayout, type WorkerDialer } from './sharded-store';
