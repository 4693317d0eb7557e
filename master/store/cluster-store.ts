import type { ParameterStore } from './parameter-store';

/**
 * The parameter store a cluster's workers reach: the one their master serves. Jobs see the
 * cluster, not the server, so the server binds its store to its cluster once; asynchronous jobs
 * look it up here.
 */
const stores = new WeakMap<object, ParameterStore>();

export function bindStore(cluster: object, store: ParameterStore): void {
  stores.set(cluster, store);
}

export function storeFor(cluster: object): ParameterStore | undefined {
  return stores.get(cluster);
}
