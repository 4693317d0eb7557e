import { serveComputeThread } from '../../shared/linalg';
import { MASTER_THREAD_OPS } from './thread-ops';

/** The master's compute thread: the linear algebra and the master's own array work (thread-ops.ts). */
serveComputeThread(MASTER_THREAD_OPS);
