/**
 * Job files: YAML -> one validated, fully resolved object.
 *
 *   const job = loadJobFile('examples/demo.yaml');   // InputError (exit 2) names a bad key
 */
export { jobSchema, type JobSpec, type JobInput, type JobKind } from './job-schema';
export {
  commonJobFields,
  syntheticSchema,
  dataSchema,
  delaySchema,
  faultSchema,
  chaosSchema,
  stopSchema,
  schemeSchema,
  type SyntheticSpec,
  type ChaosSpec,
  type StopSpec,
  type SchemeSpec,
} from './common';
export { leastSquaresJobSchema, stepSchema, type LeastSquaresJobSpec, type StepSpec } from './jobs/least-squares';
export { sketchComparisonJobSchema, type SketchComparisonJobSpec } from './jobs/sketch-comparison';
export { parseJob, resolveJobPaths, loadJobFile, formatZodError } from './load-job';
export { inverseJobSchema, pseudoinverseJobSchema, inverseDataSchema, type InverseJobSpec } from './jobs/inverse';
export {
  logisticRegressionJobSchema,
  type LogisticRegressionJobSpec,
  type LogisticSolver,
  type LogisticDataSpec,
  type LogisticSyntheticSpec,
  type SketchSpec,
} from './jobs/logistic-regression';
export { kernelRegressionJobSchema, type KernelRegressionJobSpec, type EigenproSpec } from './jobs/kernel-regression';
export { stragglerShowdownJobSchema, DEFAULT_SHOWDOWN_SCHEMES, type StragglerShowdownJobSpec } from './jobs/straggler-showdown';
