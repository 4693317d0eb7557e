/**
 * EigenPro for kernel ridgeless regression, on the cluster: synchronous (the master gathers
 * every worker's step each round) and AsyncEigenPro (α sharded across the workers: each writes
 * its own slice and reads the others' from their owners without locks; or, as a baseline, α in
 * the master's store).
 *
 *   const plan = everyCenterEverywherePlan(workers.length);
 *   const placed = await cluster.place(jobId, plan, { A: X, b: y, blockStarts: starts });
 *   const { workers: pre } = await setupPreconditioners(cluster, placed, { kernel, nystrom, q, seed, sliceLengths });
 *   const res = await driveAsyncEigenpro(session, placed, { name, n, starts, batch, step: 'paper', pre, store: 'sharded', ... });
 */
export { everyCenterEverywherePlan, GatherDecoder, splitGathered } from './plan';
export { setupPreconditioners, type EigenproStepRule, type WorkerPreconditioner } from './setup';
export { runSyncEigenpro, type SyncResult, type SyncState } from './sync';
export { asyncSteps, driveAsyncEigenpro, type AsyncResult, type AsyncState, type AsyncStoreKind, type AsyncWorkerStats, type ReadsSummary, type StalenessSummary, type StoreSummary } from './async';
export { CurveEvaluator, timeToError, type CurvePoint, type Snapshot } from './evaluate';
export { directKernelSolve, DIRECT_LIMIT } from './direct';
export { generateKernelData, splitTrainTest, sliceStarts, type KernelProblem } from './problem';
export { buildStates, simulateSync, simulateAsyncRoundRobin } from './simulate';
