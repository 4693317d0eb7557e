/**
 * What every job kind shares: data files, chaos, stop rules, the scheme key, and the job-file
 * loader (YAML -> a validated object, every bad key named). The job kinds themselves (their
 * schemas, runners and results) live in master/jobs/<kind>/, which assembles the union.
 *
 *   const job = loadJobFile('examples/straggler-showdown.yaml');   // master/jobs: InputError (exit 2) names a bad key
 */
export {
  commonJobFields,
  syntheticSchema,
  dataSchema,
  delaySchema,
  faultSchema,
  chaosSchema,
  stopSchema,
  roundsStopSchema,
  schemeSchema,
  type SyntheticSpec,
  type DataSpec,
  type ChaosSpec,
  type StopSpec,
  type RoundsStopSpec,
  type SchemeSpec,
} from './common';
export { parseYaml, parseYamlMapping, YAML_MAX_ALIAS_COUNT, parseWith, resolveJobPaths, readJobText, formatZodError } from './load-job';
