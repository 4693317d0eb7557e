/**
 * Durable jobs for a master that survives a crash (`coda master --state DIR`): the job store
 * (job-store.ts), each job's checkpoints and history log (checkpointer.ts), written atomically.
 *
 *   const store = new JobStore(dir, log);
 *   const ck = store.checkpoint(id, 'least-squares', resumed);   // passed to the runner as ctx.checkpoint
 */
export type { JobOutput, OutputTensor } from './job-output';
export { JobStore, JOB_ID, JOB_STATES, checkFingerprints, fingerprint, sha256Hex, type DataFingerprint, type JobState, type JobStatus, type StoredJob } from './job-store';
export { JobCheckpoint, DEFAULT_CHECKPOINT_OPTIONS, type CheckpointOptions, type HistorySource, type KindCheckpoint } from './checkpointer';
export { readCheckpoint, writeCheckpoint, encodeCheckpoint, decodeCheckpoint, type CheckpointData, type RestartRecord } from './checkpoint-file';
export { HistoryLog } from './history-log';
export { encodeState, decodeState } from './codec';
export { writeDurable } from './durable-file';
