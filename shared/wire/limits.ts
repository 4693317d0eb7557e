/**
 * The largest message a server sends: a task's answer must fit (worker/task-budget.ts checks
 * first). A module of its own, without grpc-js: a worker's compute threads check it too, and each
 * thread pays for every module it loads.
 */
export const MAX_SEND_BYTES = 8 << 20;
