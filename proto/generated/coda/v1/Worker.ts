// Original file: proto/coda/v1/worker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BlockChunk as _coda_v1_BlockChunk, BlockChunk__Output as _coda_v1_BlockChunk__Output } from '../../coda/v1/BlockChunk';
import type { CancelTasksReply as _coda_v1_CancelTasksReply, CancelTasksReply__Output as _coda_v1_CancelTasksReply__Output } from '../../coda/v1/CancelTasksReply';
import type { CancelTasksRequest as _coda_v1_CancelTasksRequest, CancelTasksRequest__Output as _coda_v1_CancelTasksRequest__Output } from '../../coda/v1/CancelTasksRequest';
import type { DropBlocksReply as _coda_v1_DropBlocksReply, DropBlocksReply__Output as _coda_v1_DropBlocksReply__Output } from '../../coda/v1/DropBlocksReply';
import type { DropBlocksRequest as _coda_v1_DropBlocksRequest, DropBlocksRequest__Output as _coda_v1_DropBlocksRequest__Output } from '../../coda/v1/DropBlocksRequest';
import type { DropSlicesReply as _coda_v1_DropSlicesReply, DropSlicesReply__Output as _coda_v1_DropSlicesReply__Output } from '../../coda/v1/DropSlicesReply';
import type { DropSlicesRequest as _coda_v1_DropSlicesRequest, DropSlicesRequest__Output as _coda_v1_DropSlicesRequest__Output } from '../../coda/v1/DropSlicesRequest';
import type { LoadBlocksReply as _coda_v1_LoadBlocksReply, LoadBlocksReply__Output as _coda_v1_LoadBlocksReply__Output } from '../../coda/v1/LoadBlocksReply';
import type { OpenBulkReply as _coda_v1_OpenBulkReply, OpenBulkReply__Output as _coda_v1_OpenBulkReply__Output } from '../../coda/v1/OpenBulkReply';
import type { OpenBulkRequest as _coda_v1_OpenBulkRequest, OpenBulkRequest__Output as _coda_v1_OpenBulkRequest__Output } from '../../coda/v1/OpenBulkRequest';
import type { ReadSliceReply as _coda_v1_ReadSliceReply, ReadSliceReply__Output as _coda_v1_ReadSliceReply__Output } from '../../coda/v1/ReadSliceReply';
import type { ReadSliceRequest as _coda_v1_ReadSliceRequest, ReadSliceRequest__Output as _coda_v1_ReadSliceRequest__Output } from '../../coda/v1/ReadSliceRequest';
import type { TaskRequest as _coda_v1_TaskRequest, TaskRequest__Output as _coda_v1_TaskRequest__Output } from '../../coda/v1/TaskRequest';
import type { TaskResult as _coda_v1_TaskResult, TaskResult__Output as _coda_v1_TaskResult__Output } from '../../coda/v1/TaskResult';
import type { TaskStreamReply as _coda_v1_TaskStreamReply, TaskStreamReply__Output as _coda_v1_TaskStreamReply__Output } from '../../coda/v1/TaskStreamReply';
import type { TaskStreamRequest as _coda_v1_TaskStreamRequest, TaskStreamRequest__Output as _coda_v1_TaskStreamRequest__Output } from '../../coda/v1/TaskStreamRequest';
import type { WorkerConfig as _coda_v1_WorkerConfig, WorkerConfig__Output as _coda_v1_WorkerConfig__Output } from '../../coda/v1/WorkerConfig';
import type { WorkerConfigReply as _coda_v1_WorkerConfigReply, WorkerConfigReply__Output as _coda_v1_WorkerConfigReply__Output } from '../../coda/v1/WorkerConfigReply';
import type { WriteSliceReply as _coda_v1_WriteSliceReply, WriteSliceReply__Output as _coda_v1_WriteSliceReply__Output } from '../../coda/v1/WriteSliceReply';
import type { WriteSliceRequest as _coda_v1_WriteSliceRequest, WriteSliceRequest__Output as _coda_v1_WriteSliceRequest__Output } from '../../coda/v1/WriteSliceRequest';

/**
 * The worker role: keeps the (encoded) blocks the master placed on it, runs tasks on them.
 */
export interface WorkerClient extends grpc.Client {
  /**
   * Cancels running tasks of a round (the master's stragglers). The worker ends each call itself
   * with CANCELLED, so a round that cuts off hundreds of tasks sends one message a worker instead
   * of an HTTP/2 stream reset per task (which Node's HTTP/2 server treats as a reset flood).
   */
  CancelTasks(argument: _coda_v1_CancelTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  CancelTasks(argument: _coda_v1_CancelTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  CancelTasks(argument: _coda_v1_CancelTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  CancelTasks(argument: _coda_v1_CancelTasksRequest, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  /**
   * Cancels running tasks of a round (the master's stragglers). The worker ends each call itself
   * with CANCELLED, so a round that cuts off hundreds of tasks sends one message a worker instead
   * of an HTTP/2 stream reset per task (which Node's HTTP/2 server treats as a reset flood).
   */
  cancelTasks(argument: _coda_v1_CancelTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  cancelTasks(argument: _coda_v1_CancelTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  cancelTasks(argument: _coda_v1_CancelTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  cancelTasks(argument: _coda_v1_CancelTasksRequest, callback: grpc.requestCallback<_coda_v1_CancelTasksReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Sets this worker's per-task delay and fault injection (chaos), seeded.
   */
  Configure(argument: _coda_v1_WorkerConfig, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  Configure(argument: _coda_v1_WorkerConfig, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  Configure(argument: _coda_v1_WorkerConfig, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  Configure(argument: _coda_v1_WorkerConfig, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  /**
   * Sets this worker's per-task delay and fault injection (chaos), seeded.
   */
  configure(argument: _coda_v1_WorkerConfig, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  configure(argument: _coda_v1_WorkerConfig, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  configure(argument: _coda_v1_WorkerConfig, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  configure(argument: _coda_v1_WorkerConfig, callback: grpc.requestCallback<_coda_v1_WorkerConfigReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Forgets blocks (all of a job's when `block_ids` is empty).
   */
  DropBlocks(argument: _coda_v1_DropBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  DropBlocks(argument: _coda_v1_DropBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  DropBlocks(argument: _coda_v1_DropBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  DropBlocks(argument: _coda_v1_DropBlocksRequest, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  /**
   * Forgets blocks (all of a job's when `block_ids` is empty).
   */
  dropBlocks(argument: _coda_v1_DropBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  dropBlocks(argument: _coda_v1_DropBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  dropBlocks(argument: _coda_v1_DropBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  dropBlocks(argument: _coda_v1_DropBlocksRequest, callback: grpc.requestCallback<_coda_v1_DropBlocksReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Forgets a job's slices (every vector of the job when `name` is empty).
   */
  DropSlices(argument: _coda_v1_DropSlicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  DropSlices(argument: _coda_v1_DropSlicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  DropSlices(argument: _coda_v1_DropSlicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  DropSlices(argument: _coda_v1_DropSlicesRequest, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  /**
   * Forgets a job's slices (every vector of the job when `name` is empty).
   */
  dropSlices(argument: _coda_v1_DropSlicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  dropSlices(argument: _coda_v1_DropSlicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  dropSlices(argument: _coda_v1_DropSlicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  dropSlices(argument: _coda_v1_DropSlicesRequest, callback: grpc.requestCallback<_coda_v1_DropSlicesReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams blocks to the worker. The first message of each block carries its header;
   * the following messages carry consecutive byte chunks (about 1 MiB each) so no message
   * meets gRPC's 4 MiB default limit.
   */
  LoadBlocks(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  LoadBlocks(metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  LoadBlocks(options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  LoadBlocks(callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  /**
   * Streams blocks to the worker. The first message of each block carries its header;
   * the following messages carry consecutive byte chunks (about 1 MiB each) so no message
   * meets gRPC's 4 MiB default limit.
   */
  loadBlocks(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  loadBlocks(metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  loadBlocks(options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  loadBlocks(callback: grpc.requestCallback<_coda_v1_LoadBlocksReply__Output>): grpc.ClientWritableStream<_coda_v1_BlockChunk>;
  
  /**
   * Placement's fast path. gRPC reassembles and copies every message on both ends, which keeps
   * LoadBlocks at about a third of what loopback TCP moves. OpenBulk hands the master (already
   * authenticated by the cluster token, like every call) a one-time ticket for a plain TCP
   * connection to the worker's bulk port, on which the blocks travel as raw bytes:
   * master -> worker: the 16-byte ticket, then per block a frame (u32 big-endian length, a
   * BlockHeader), then the header's total_bytes raw little-endian float64 bytes; then EOF.
   * worker -> master: one frame (u32 big-endian length, a BulkResult), then EOF.
   * The ticket names the job: headers of another job are refused. port 0 in the reply: no bulk
   * channel on this worker (disabled, or TLS, which only LoadBlocks carries): use LoadBlocks.
   */
  OpenBulk(argument: _coda_v1_OpenBulkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  OpenBulk(argument: _coda_v1_OpenBulkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  OpenBulk(argument: _coda_v1_OpenBulkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  OpenBulk(argument: _coda_v1_OpenBulkRequest, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  /**
   * Placement's fast path. gRPC reassembles and copies every message on both ends, which keeps
   * LoadBlocks at about a third of what loopback TCP moves. OpenBulk hands the master (already
   * authenticated by the cluster token, like every call) a one-time ticket for a plain TCP
   * connection to the worker's bulk port, on which the blocks travel as raw bytes:
   * master -> worker: the 16-byte ticket, then per block a frame (u32 big-endian length, a
   * BlockHeader), then the header's total_bytes raw little-endian float64 bytes; then EOF.
   * worker -> master: one frame (u32 big-endian length, a BulkResult), then EOF.
   * The ticket names the job: headers of another job are refused. port 0 in the reply: no bulk
   * channel on this worker (disabled, or TLS, which only LoadBlocks carries): use LoadBlocks.
   */
  openBulk(argument: _coda_v1_OpenBulkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  openBulk(argument: _coda_v1_OpenBulkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  openBulk(argument: _coda_v1_OpenBulkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  openBulk(argument: _coda_v1_OpenBulkRequest, callback: grpc.requestCallback<_coda_v1_OpenBulkReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * The sharded parameter store of asynchronous jobs (AsyncEigenPro, Algorithm 1). Each worker
   * keeps the slices of a parameter vector it owns and serves them; a reader (another worker's
   * loop, the master's snapshots) gathers the slices from their owners in parallel, without any
   * lock, so what it assembles may mix versions (the paper's inconsistent reads). An owner writes
   * its own slice in-process; WriteSlice is how the master creates a slice. Versions only grow.
   */
  ReadSlice(argument: _coda_v1_ReadSliceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  ReadSlice(argument: _coda_v1_ReadSliceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  ReadSlice(argument: _coda_v1_ReadSliceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  ReadSlice(argument: _coda_v1_ReadSliceRequest, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  /**
   * The sharded parameter store of asynchronous jobs (AsyncEigenPro, Algorithm 1). Each worker
   * keeps the slices of a parameter vector it owns and serves them; a reader (another worker's
   * loop, the master's snapshots) gathers the slices from their owners in parallel, without any
   * lock, so what it assembles may mix versions (the paper's inconsistent reads). An owner writes
   * its own slice in-process; WriteSlice is how the master creates a slice. Versions only grow.
   */
  readSlice(argument: _coda_v1_ReadSliceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  readSlice(argument: _coda_v1_ReadSliceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  readSlice(argument: _coda_v1_ReadSliceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  readSlice(argument: _coda_v1_ReadSliceRequest, callback: grpc.requestCallback<_coda_v1_ReadSliceReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * ReadSlice on one long-lived stream: each request gets one reply, in order. A reader reads
   * every owner every iteration; a message on an open stream costs the two ends about a tenth of
   * the CPU of a unary call. A failed request ends the stream with its status.
   */
  ReadSlices(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply__Output>;
  ReadSlices(options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply__Output>;
  /**
   * ReadSlice on one long-lived stream: each request gets one reply, in order. A reader reads
   * every owner every iteration; a message on an open stream costs the two ends about a tenth of
   * the CPU of a unary call. A failed request ends the stream with its status.
   */
  readSlices(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply__Output>;
  readSlices(options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply__Output>;
  
  /**
   * Runs one task. Honours the call deadline and cancellation (the master cancels stragglers).
   */
  RunTask(argument: _coda_v1_TaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  RunTask(argument: _coda_v1_TaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  RunTask(argument: _coda_v1_TaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  RunTask(argument: _coda_v1_TaskRequest, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  /**
   * Runs one task. Honours the call deadline and cancellation (the master cancels stragglers).
   */
  runTask(argument: _coda_v1_TaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  runTask(argument: _coda_v1_TaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  runTask(argument: _coda_v1_TaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  runTask(argument: _coda_v1_TaskRequest, callback: grpc.requestCallback<_coda_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  
  /**
   * The data plane: one long-lived stream per worker, opened by the master when the worker joins.
   * A round sends this worker ONE message with all its slots (the shared payload, e.g. the
   * iterate x, once); the worker answers each slot as it finishes, so first-q decoders see the
   * real arrival order; cancellations travel on the same stream. Ending the stream (either side,
   * or a broken connection) aborts every task it started: a broken stream is a lost worker.
   */
  Tasks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamReply__Output>;
  Tasks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamReply__Output>;
  /**
   * The data plane: one long-lived stream per worker, opened by the master when the worker joins.
   * A round sends this worker ONE message with all its slots (the shared payload, e.g. the
   * iterate x, once); the worker answers each slot as it finishes, so first-q decoders see the
   * real arrival order; cancellations travel on the same stream. Ending the stream (either side,
   * or a broken connection) aborts every task it started: a broken stream is a lost worker.
   */
  tasks(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamReply__Output>;
  tasks(options?: grpc.CallOptions): grpc.ClientDuplexStream<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamReply__Output>;
  
  WriteSlice(argument: _coda_v1_WriteSliceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  WriteSlice(argument: _coda_v1_WriteSliceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  WriteSlice(argument: _coda_v1_WriteSliceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  WriteSlice(argument: _coda_v1_WriteSliceRequest, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  writeSlice(argument: _coda_v1_WriteSliceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  writeSlice(argument: _coda_v1_WriteSliceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  writeSlice(argument: _coda_v1_WriteSliceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  writeSlice(argument: _coda_v1_WriteSliceRequest, callback: grpc.requestCallback<_coda_v1_WriteSliceReply__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The worker role: keeps the (encoded) blocks the master placed on it, runs tasks on them.
 */
export interface WorkerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Cancels running tasks of a round (the master's stragglers). The worker ends each call itself
   * with CANCELLED, so a round that cuts off hundreds of tasks sends one message a worker instead
   * of an HTTP/2 stream reset per task (which Node's HTTP/2 server treats as a reset flood).
   */
  CancelTasks: grpc.handleUnaryCall<_coda_v1_CancelTasksRequest__Output, _coda_v1_CancelTasksReply>;
  
  /**
   * Sets this worker's per-task delay and fault injection (chaos), seeded.
   */
  Configure: grpc.handleUnaryCall<_coda_v1_WorkerConfig__Output, _coda_v1_WorkerConfigReply>;
  
  /**
   * Forgets blocks (all of a job's when `block_ids` is empty).
   */
  DropBlocks: grpc.handleUnaryCall<_coda_v1_DropBlocksRequest__Output, _coda_v1_DropBlocksReply>;
  
  /**
   * Forgets a job's slices (every vector of the job when `name` is empty).
   */
  DropSlices: grpc.handleUnaryCall<_coda_v1_DropSlicesRequest__Output, _coda_v1_DropSlicesReply>;
  
  /**
   * Streams blocks to the worker. The first message of each block carries its header;
   * the following messages carry consecutive byte chunks (about 1 MiB each) so no message
   * meets gRPC's 4 MiB default limit.
   */
  LoadBlocks: grpc.handleClientStreamingCall<_coda_v1_BlockChunk__Output, _coda_v1_LoadBlocksReply>;
  
  /**
   * Placement's fast path. gRPC reassembles and copies every message on both ends, which keeps
   * LoadBlocks at about a third of what loopback TCP moves. OpenBulk hands the master (already
   * authenticated by the cluster token, like every call) a one-time ticket for a plain TCP
   * connection to the worker's bulk port, on which the blocks travel as raw bytes:
   * master -> worker: the 16-byte ticket, then per block a frame (u32 big-endian length, a
   * BlockHeader), then the header's total_bytes raw little-endian float64 bytes; then EOF.
   * worker -> master: one frame (u32 big-endian length, a BulkResult), then EOF.
   * The ticket names the job: headers of another job are refused. port 0 in the reply: no bulk
   * channel on this worker (disabled, or TLS, which only LoadBlocks carries): use LoadBlocks.
   */
  OpenBulk: grpc.handleUnaryCall<_coda_v1_OpenBulkRequest__Output, _coda_v1_OpenBulkReply>;
  
  /**
   * The sharded parameter store of asynchronous jobs (AsyncEigenPro, Algorithm 1). Each worker
   * keeps the slices of a parameter vector it owns and serves them; a reader (another worker's
   * loop, the master's snapshots) gathers the slices from their owners in parallel, without any
   * lock, so what it assembles may mix versions (the paper's inconsistent reads). An owner writes
   * its own slice in-process; WriteSlice is how the master creates a slice. Versions only grow.
   */
  ReadSlice: grpc.handleUnaryCall<_coda_v1_ReadSliceRequest__Output, _coda_v1_ReadSliceReply>;
  
  /**
   * ReadSlice on one long-lived stream: each request gets one reply, in order. A reader reads
   * every owner every iteration; a message on an open stream costs the two ends about a tenth of
   * the CPU of a unary call. A failed request ends the stream with its status.
   */
  ReadSlices: grpc.handleBidiStreamingCall<_coda_v1_ReadSliceRequest__Output, _coda_v1_ReadSliceReply>;
  
  /**
   * Runs one task. Honours the call deadline and cancellation (the master cancels stragglers).
   */
  RunTask: grpc.handleUnaryCall<_coda_v1_TaskRequest__Output, _coda_v1_TaskResult>;
  
  /**
   * The data plane: one long-lived stream per worker, opened by the master when the worker joins.
   * A round sends this worker ONE message with all its slots (the shared payload, e.g. the
   * iterate x, once); the worker answers each slot as it finishes, so first-q decoders see the
   * real arrival order; cancellations travel on the same stream. Ending the stream (either side,
   * or a broken connection) aborts every task it started: a broken stream is a lost worker.
   */
  Tasks: grpc.handleBidiStreamingCall<_coda_v1_TaskStreamRequest__Output, _coda_v1_TaskStreamReply>;
  
  WriteSlice: grpc.handleUnaryCall<_coda_v1_WriteSliceRequest__Output, _coda_v1_WriteSliceReply>;
  
}

export interface WorkerDefinition extends grpc.ServiceDefinition {
  CancelTasks: MethodDefinition<_coda_v1_CancelTasksRequest, _coda_v1_CancelTasksReply, _coda_v1_CancelTasksRequest__Output, _coda_v1_CancelTasksReply__Output>
  Configure: MethodDefinition<_coda_v1_WorkerConfig, _coda_v1_WorkerConfigReply, _coda_v1_WorkerConfig__Output, _coda_v1_WorkerConfigReply__Output>
  DropBlocks: MethodDefinition<_coda_v1_DropBlocksRequest, _coda_v1_DropBlocksReply, _coda_v1_DropBlocksRequest__Output, _coda_v1_DropBlocksReply__Output>
  DropSlices: MethodDefinition<_coda_v1_DropSlicesRequest, _coda_v1_DropSlicesReply, _coda_v1_DropSlicesRequest__Output, _coda_v1_DropSlicesReply__Output>
  LoadBlocks: MethodDefinition<_coda_v1_BlockChunk, _coda_v1_LoadBlocksReply, _coda_v1_BlockChunk__Output, _coda_v1_LoadBlocksReply__Output>
  OpenBulk: MethodDefinition<_coda_v1_OpenBulkRequest, _coda_v1_OpenBulkReply, _coda_v1_OpenBulkRequest__Output, _coda_v1_OpenBulkReply__Output>
  ReadSlice: MethodDefinition<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply, _coda_v1_ReadSliceRequest__Output, _coda_v1_ReadSliceReply__Output>
  ReadSlices: MethodDefinition<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceReply, _coda_v1_ReadSliceRequest__Output, _coda_v1_ReadSliceReply__Output>
  RunTask: MethodDefinition<_coda_v1_TaskRequest, _coda_v1_TaskResult, _coda_v1_TaskRequest__Output, _coda_v1_TaskResult__Output>
  Tasks: MethodDefinition<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamReply, _coda_v1_TaskStreamRequest__Output, _coda_v1_TaskStreamReply__Output>
  WriteSlice: MethodDefinition<_coda_v1_WriteSliceRequest, _coda_v1_WriteSliceReply, _coda_v1_WriteSliceRequest__Output, _coda_v1_WriteSliceReply__Output>
}
