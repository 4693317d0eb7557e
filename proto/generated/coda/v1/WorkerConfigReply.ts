// Original file: proto/coda/v1/worker.proto


export interface WorkerConfigReply {
}

export interface WorkerConfigReply__Output {
}
