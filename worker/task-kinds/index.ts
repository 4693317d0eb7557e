/** Task kinds: one module per family registers its thread handlers (import for the side effect, once). */
import './linear-algebra';
import './solve-columns';
import './logistic';
import './eigenpro';

export { type TaskContext, type KindResult, type KindHandler, type KindSpec, type TaskKindName, type ThreadKindName, KINDS, kindSpec, kindHandler, registerKind } from './registry';
export { AsyncStepper, type StepperOptions, type StepOutcome } from './eigenpro';
