/**
 * The worker role: a gRPC server that keeps its (encoded) blocks, runs tasks on them and injects
 * the configured delays and faults. Never imports the master.
 *
 *   const w = await startWorker({ master: '127.0.0.1:7070', port: 0 });
 *   process.on('SIGTERM', () => w.drain());
 */
export { startWorker, type RunningWorker } from './worker';
export { type WorkerOptions, DEFAULT_WORKER_OPTIONS } from './options';
export { BlockStore, BlockAssembler, type StoredBlock } from './block-store';
export { KINDS, type KindSpec, type KindHandler, type TaskContext, type KindResult } from './task-kinds';
export { type ComputeMode, COMPUTE_MODES } from './compute';
