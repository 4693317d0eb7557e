/** Task kinds: one module per family registers its handlers (import for the side effect, once). */
import './linear-algebra';
import './solve-columns';
import './logistic';
import './eigenpro';

export { type TaskContext, type KindResult, type KindHandler, type MasterAccess, type ParamAccess, kindHandler, registerKind, resolveBlocks } from './registry';
