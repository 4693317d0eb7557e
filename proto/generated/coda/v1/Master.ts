// Original file: proto/coda/v1/master.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AttachJobRequest as _coda_v1_AttachJobRequest, AttachJobRequest__Output as _coda_v1_AttachJobRequest__Output } from '../../coda/v1/AttachJobRequest';
import type { CancelJobReply as _coda_v1_CancelJobReply, CancelJobReply__Output as _coda_v1_CancelJobReply__Output } from '../../coda/v1/CancelJobReply';
import type { CancelJobRequest as _coda_v1_CancelJobRequest, CancelJobRequest__Output as _coda_v1_CancelJobRequest__Output } from '../../coda/v1/CancelJobRequest';
import type { HeartbeatReply as _coda_v1_HeartbeatReply, HeartbeatReply__Output as _coda_v1_HeartbeatReply__Output } from '../../coda/v1/HeartbeatReply';
import type { HeartbeatRequest as _coda_v1_HeartbeatRequest, HeartbeatRequest__Output as _coda_v1_HeartbeatRequest__Output } from '../../coda/v1/HeartbeatRequest';
import type { JobEvent as _coda_v1_JobEvent, JobEvent__Output as _coda_v1_JobEvent__Output } from '../../coda/v1/JobEvent';
import type { ReadParametersReply as _coda_v1_ReadParametersReply, ReadParametersReply__Output as _coda_v1_ReadParametersReply__Output } from '../../coda/v1/ReadParametersReply';
import type { ReadParametersRequest as _coda_v1_ReadParametersRequest, ReadParametersRequest__Output as _coda_v1_ReadParametersRequest__Output } from '../../coda/v1/ReadParametersRequest';
import type { RegisterReply as _coda_v1_RegisterReply, RegisterReply__Output as _coda_v1_RegisterReply__Output } from '../../coda/v1/RegisterReply';
import type { RegisterRequest as _coda_v1_RegisterRequest, RegisterRequest__Output as _coda_v1_RegisterRequest__Output } from '../../coda/v1/RegisterRequest';
import type { SubmitJobRequest as _coda_v1_SubmitJobRequest, SubmitJobRequest__Output as _coda_v1_SubmitJobRequest__Output } from '../../coda/v1/SubmitJobRequest';
import type { UploadChunk as _coda_v1_UploadChunk, UploadChunk__Output as _coda_v1_UploadChunk__Output } from '../../coda/v1/UploadChunk';
import type { UploadReply as _coda_v1_UploadReply, UploadReply__Output as _coda_v1_UploadReply__Output } from '../../coda/v1/UploadReply';
import type { WriteParametersReply as _coda_v1_WriteParametersReply, WriteParametersReply__Output as _coda_v1_WriteParametersReply__Output } from '../../coda/v1/WriteParametersReply';
import type { WriteParametersRequest as _coda_v1_WriteParametersRequest, WriteParametersRequest__Output as _coda_v1_WriteParametersRequest__Output } from '../../coda/v1/WriteParametersRequest';

/**
 * The master role: worker registry and heartbeats, the centralized parameter store (a baseline),
 * and job submission from `coda run --master`.
 */
export interface MasterClient extends grpc.Client {
  /**
   * Streams a known job's events from now on (its current state first; finished or failed at once
   * for a job already done). NOT_FOUND for a job this master does not hold.
   */
  AttachJob(argument: _coda_v1_AttachJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  AttachJob(argument: _coda_v1_AttachJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  /**
   * Streams a known job's events from now on (its current state first; finished or failed at once
   * for a job already done). NOT_FOUND for a job this master does not hold.
   */
  attachJob(argument: _coda_v1_AttachJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  attachJob(argument: _coda_v1_AttachJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  
  /**
   * Stops a job (queued, waiting or running); it ends with stoppedBy 'signal'.
   */
  CancelJob(argument: _coda_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _coda_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _coda_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _coda_v1_CancelJobRequest, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  /**
   * Stops a job (queued, waiting or running); it ends with stoppedBy 'signal'.
   */
  cancelJob(argument: _coda_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _coda_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _coda_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _coda_v1_CancelJobRequest, callback: grpc.requestCallback<_coda_v1_CancelJobReply__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(argument: _coda_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _coda_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _coda_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _coda_v1_HeartbeatRequest, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _coda_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _coda_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _coda_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _coda_v1_HeartbeatRequest, callback: grpc.requestCallback<_coda_v1_HeartbeatReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * The master's parameter store: eigenpro-async's centralized baseline (`store: master`). Every
   * read is one copy made on the master's single thread, so never mixed. The default store is
   * sharded across the workers instead (Worker.ReadSlice): the master does not serve it.
   */
  ReadParameters(argument: _coda_v1_ReadParametersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  ReadParameters(argument: _coda_v1_ReadParametersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  ReadParameters(argument: _coda_v1_ReadParametersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  ReadParameters(argument: _coda_v1_ReadParametersRequest, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  /**
   * The master's parameter store: eigenpro-async's centralized baseline (`store: master`). Every
   * read is one copy made on the master's single thread, so never mixed. The default store is
   * sharded across the workers instead (Worker.ReadSlice): the master does not serve it.
   */
  readParameters(argument: _coda_v1_ReadParametersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  readParameters(argument: _coda_v1_ReadParametersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  readParameters(argument: _coda_v1_ReadParametersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  readParameters(argument: _coda_v1_ReadParametersRequest, callback: grpc.requestCallback<_coda_v1_ReadParametersReply__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _coda_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _coda_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _coda_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _coda_v1_RegisterRequest, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _coda_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _coda_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _coda_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _coda_v1_RegisterRequest, callback: grpc.requestCallback<_coda_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Accepts a job and streams its events: accepted (with the job id), progress, then finished or
   * failed. The job runs on the master, not in the call: a submitter that loses the stream (its
   * master restarted, the network dropped) re-attaches with AttachJob. A submission naming a
   * job_id the master already holds attaches to that job instead of starting another.
   */
  SubmitJob(argument: _coda_v1_SubmitJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  SubmitJob(argument: _coda_v1_SubmitJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  /**
   * Accepts a job and streams its events: accepted (with the job id), progress, then finished or
   * failed. The job runs on the master, not in the call: a submitter that loses the stream (its
   * master restarted, the network dropped) re-attaches with AttachJob. A submission naming a
   * job_id the master already holds attaches to that job instead of starting another.
   */
  submitJob(argument: _coda_v1_SubmitJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  submitJob(argument: _coda_v1_SubmitJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_coda_v1_JobEvent__Output>;
  
  /**
   * Receives a job's arrays from the submitter (a client stream of tensor chunks, written to the
   * master's upload folder as they arrive) and answers with an upload id; a SubmitJob naming that
   * id may then name the arrays in its data as `upload:NAME`. Refused with RESOURCE_EXHAUSTED,
   * before a byte is stored, when the declared total exceeds the master's per-job limit
   * (--max-upload-bytes), its available memory or its disk; an upload cut off midway, or never
   * claimed by a job within a few minutes, is deleted.
   */
  UploadArrays(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  UploadArrays(metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  UploadArrays(options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  UploadArrays(callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  /**
   * Receives a job's arrays from the submitter (a client stream of tensor chunks, written to the
   * master's upload folder as they arrive) and answers with an upload id; a SubmitJob naming that
   * id may then name the arrays in its data as `upload:NAME`. Refused with RESOURCE_EXHAUSTED,
   * before a byte is stored, when the declared total exceeds the master's per-job limit
   * (--max-upload-bytes), its available memory or its disk; an upload cut off midway, or never
   * claimed by a job within a few minutes, is deleted.
   */
  uploadArrays(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  uploadArrays(metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  uploadArrays(options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  uploadArrays(callback: grpc.requestCallback<_coda_v1_UploadReply__Output>): grpc.ClientWritableStream<_coda_v1_UploadChunk>;
  
  WriteParameters(argument: _coda_v1_WriteParametersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  WriteParameters(argument: _coda_v1_WriteParametersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  WriteParameters(argument: _coda_v1_WriteParametersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  WriteParameters(argument: _coda_v1_WriteParametersRequest, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  writeParameters(argument: _coda_v1_WriteParametersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  writeParameters(argument: _coda_v1_WriteParametersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  writeParameters(argument: _coda_v1_WriteParametersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  writeParameters(argument: _coda_v1_WriteParametersRequest, callback: grpc.requestCallback<_coda_v1_WriteParametersReply__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The master role: worker registry and heartbeats, the centralized parameter store (a baseline),
 * and job submission from `coda run --master`.
 */
export interface MasterHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Streams a known job's events from now on (its current state first; finished or failed at once
   * for a job already done). NOT_FOUND for a job this master does not hold.
   */
  AttachJob: grpc.handleServerStreamingCall<_coda_v1_AttachJobRequest__Output, _coda_v1_JobEvent>;
  
  /**
   * Stops a job (queued, waiting or running); it ends with stoppedBy 'signal'.
   */
  CancelJob: grpc.handleUnaryCall<_coda_v1_CancelJobRequest__Output, _coda_v1_CancelJobReply>;
  
  Heartbeat: grpc.handleUnaryCall<_coda_v1_HeartbeatRequest__Output, _coda_v1_HeartbeatReply>;
  
  /**
   * The master's parameter store: eigenpro-async's centralized baseline (`store: master`). Every
   * read is one copy made on the master's single thread, so never mixed. The default store is
   * sharded across the workers instead (Worker.ReadSlice): the master does not serve it.
   */
  ReadParameters: grpc.handleUnaryCall<_coda_v1_ReadParametersRequest__Output, _coda_v1_ReadParametersReply>;
  
  Register: grpc.handleUnaryCall<_coda_v1_RegisterRequest__Output, _coda_v1_RegisterReply>;
  
  /**
   * Accepts a job and streams its events: accepted (with the job id), progress, then finished or
   * failed. The job runs on the master, not in the call: a submitter that loses the stream (its
   * master restarted, the network dropped) re-attaches with AttachJob. A submission naming a
   * job_id the master already holds attaches to that job instead of starting another.
   */
  SubmitJob: grpc.handleServerStreamingCall<_coda_v1_SubmitJobRequest__Output, _coda_v1_JobEvent>;
  
  /**
   * Receives a job's arrays from the submitter (a client stream of tensor chunks, written to the
   * master's upload folder as they arrive) and answers with an upload id; a SubmitJob naming that
   * id may then name the arrays in its data as `upload:NAME`. Refused with RESOURCE_EXHAUSTED,
   * before a byte is stored, when the declared total exceeds the master's per-job limit
   * (--max-upload-bytes), its available memory or its disk; an upload cut off midway, or never
   * claimed by a job within a few minutes, is deleted.
   */
  UploadArrays: grpc.handleClientStreamingCall<_coda_v1_UploadChunk__Output, _coda_v1_UploadReply>;
  
  WriteParameters: grpc.handleUnaryCall<_coda_v1_WriteParametersRequest__Output, _coda_v1_WriteParametersReply>;
  
}

export interface MasterDefinition extends grpc.ServiceDefinition {
  AttachJob: MethodDefinition<_coda_v1_AttachJobRequest, _coda_v1_JobEvent, _coda_v1_AttachJobRequest__Output, _coda_v1_JobEvent__Output>
  CancelJob: MethodDefinition<_coda_v1_CancelJobRequest, _coda_v1_CancelJobReply, _coda_v1_CancelJobRequest__Output, _coda_v1_CancelJobReply__Output>
  Heartbeat: MethodDefinition<_coda_v1_HeartbeatRequest, _coda_v1_HeartbeatReply, _coda_v1_HeartbeatRequest__Output, _coda_v1_HeartbeatReply__Output>
  ReadParameters: MethodDefinition<_coda_v1_ReadParametersRequest, _coda_v1_ReadParametersReply, _coda_v1_ReadParametersRequest__Output, _coda_v1_ReadParametersReply__Output>
  Register: MethodDefinition<_coda_v1_RegisterRequest, _coda_v1_RegisterReply, _coda_v1_RegisterRequest__Output, _coda_v1_RegisterReply__Output>
  SubmitJob: MethodDefinition<_coda_v1_SubmitJobRequest, _coda_v1_JobEvent, _coda_v1_SubmitJobRequest__Output, _coda_v1_JobEvent__Output>
  UploadArrays: MethodDefinition<_coda_v1_UploadChunk, _coda_v1_UploadReply, _coda_v1_UploadChunk__Output, _coda_v1_UploadReply__Output>
  WriteParameters: MethodDefinition<_coda_v1_WriteParametersRequest, _coda_v1_WriteParametersReply, _coda_v1_WriteParametersRequest__Output, _coda_v1_WriteParametersReply__Output>
}
