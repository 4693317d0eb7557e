/**
 * Submitting a job to a running master (the CLI's `run --master`, experiments' `master:`): the
 * job file's text goes over gRPC, progress and the result come back.
 *
 *   const out = await submitJob(address, yamlText, { token, onProgress: (p) => bar.update(p) });
 */
export { submitJob, newJobId, type SubmitJobOptions } from './submit-job';
export { uploadArrays, arrayFromValues, arrayFromNpyFile, type ArraySource, type UploadOptions } from './upload-arrays';
