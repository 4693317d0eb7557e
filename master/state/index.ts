/**
 * Durable jobs for a master that survives a crash (`coda master --state DIR`): the state folder
 * (job-state-dir.ts), each job's checkpoints and history log (checkpointer.ts), written atomically.
 *
 *   const stateDir = new JobStateDir(dir, log);
 *   const ck = stateDir.checkpoint(id, 'least-squares', resumed);   // passed to the runner as ctx.checkpoint
 */
export { writeJobOutputs, formatResultJson, type JobOutput, type OutputTensor } from './job-output';
export { JobStateDir, JOB_ID, JOB_STATES, checkFingerprints, fingerprint, sha256Hex, type DataFingerprint, type JobState, type JobStatus, type StoredJob } from './job-state-dir';
export { JobCheckpoint, DEFAULT_CHECKPOINT_OPTIONS, type CheckpointOptions, type HistorySource, type KindCheckpoint } from './checkpointer';
export { readCheckpoint, writeCheckpoint, encodeCheckpoint, decodeCheckpoint, type CheckpointData, type RestartRecord } from './checkpoint-file';
export { CheckpointLog } from './checkpoint-log';
export { encodeState, decodeState } from './codec';
