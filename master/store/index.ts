/**
 * The parameter store: versioned, lock-free slices with one owner each.
 *
 *   const alpha = store.create('alpha', n, workers);
 *   alpha.write(owner, alpha.slices[owner].start, values);   // only the owner's slice
 *   const { values, versions } = alpha.read();               // may mix versions
 */
export { ParameterStore, ParameterVector, type SliceInfo } from './parameter-store';
export { storeHandlers } from './service';
