/**
 * Job files: YAML -> one validated, fully resolved object.
 *
 *   const job = loadJobFile('examples/demo.yaml');   // InputError (exit 2) names a bad key
 */
export {
  jobSchema,
  type JobSpec,
  type JobInput,
  type SyntheticSpec,
  type ChaosSpec,
  type StopSpec,
  type StepSpec,
  type SchemeSpec,
} from './job-schema';
export { parseJob, resolveJobPaths, loadJobFile, formatZodError } from './load-job';
