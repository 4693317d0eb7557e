/** `job: kernel-regression` (EigenPro, AsyncEigenPro): its schema, runner, result and model file. */
import type { JobKindModule } from '../types';
import { checkKernelRegression } from './check';
import { runKernelRegression, type KernelRegressionResult } from './runner';
import { kernelRegressionJobSchema, type KernelRegressionJobSpec } from './schema';

export { kernelRegressionJobSchema, type KernelRegressionJobSpec, type EigenproSpec } from './schema';
export { runKernelRegression, type KernelRegressionResult } from './runner';
export { kernelModelSchema, type KernelModelFile } from './model';

export const kernelRegressionKind: JobKindModule<KernelRegressionJobSpec, KernelRegressionResult> = {
  check: checkKernelRegression,
  schema: kernelRegressionJobSchema,
  run: runKernelRegression,
  example: 'examples/kernel-regression.yaml',
};
