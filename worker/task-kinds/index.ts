/** Task kinds: one module per family registers its handlers (import for the side effect, once). */
import './linear-algebra';
import './solve-columns';
import './logistic';

export { type TaskContext, type KindResult, type KindHandler, kindHandler, registerKind, resolveBlocks } from './registry';
