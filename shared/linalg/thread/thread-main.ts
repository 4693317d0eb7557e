import { serveComputeThread } from './serve';

/** The linear algebra's compute thread: the operations of Linalg and nothing else (see serve.ts). */
serveComputeThread();
