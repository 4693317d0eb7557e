/** Task kinds: what each kind is (KINDS: where it runs, how its delay is drawn) and its handler, one typed table each. */
export { type TaskContext, type KindResult, type KindHandler, type KindSpec, type TaskKindName, type ThreadKindName, KINDS, kindSpec } from './registry';
export { kindHandler } from './handlers';
export { AsyncStepper, type StepperOptions, type StepOutcome } from './eigenpro';
