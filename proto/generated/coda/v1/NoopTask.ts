// Original file: proto/coda/v1/worker.proto


/**
 * Does nothing but wait for the injected delay: measures the runtime's own overhead.
 */
export interface NoopTask {
}

/**
 * Does nothing but wait for the injected delay: measures the runtime's own overhead.
 */
export interface NoopTask__Output {
}
