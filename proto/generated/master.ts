import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AttachJobRequest as _coda_v1_AttachJobRequest, AttachJobRequest__Output as _coda_v1_AttachJobRequest__Output } from './coda/v1/AttachJobRequest';
import type { CancelJobReply as _coda_v1_CancelJobReply, CancelJobReply__Output as _coda_v1_CancelJobReply__Output } from './coda/v1/CancelJobReply';
import type { CancelJobRequest as _coda_v1_CancelJobRequest, CancelJobRequest__Output as _coda_v1_CancelJobRequest__Output } from './coda/v1/CancelJobRequest';
import type { FileChunk as _coda_v1_FileChunk, FileChunk__Output as _coda_v1_FileChunk__Output } from './coda/v1/FileChunk';
import type { HeartbeatReply as _coda_v1_HeartbeatReply, HeartbeatReply__Output as _coda_v1_HeartbeatReply__Output } from './coda/v1/HeartbeatReply';
import type { HeartbeatRequest as _coda_v1_HeartbeatRequest, HeartbeatRequest__Output as _coda_v1_HeartbeatRequest__Output } from './coda/v1/HeartbeatRequest';
import type { JobAccepted as _coda_v1_JobAccepted, JobAccepted__Output as _coda_v1_JobAccepted__Output } from './coda/v1/JobAccepted';
import type { JobEvent as _coda_v1_JobEvent, JobEvent__Output as _coda_v1_JobEvent__Output } from './coda/v1/JobEvent';
import type { JobFailed as _coda_v1_JobFailed, JobFailed__Output as _coda_v1_JobFailed__Output } from './coda/v1/JobFailed';
import type { JobFinished as _coda_v1_JobFinished, JobFinished__Output as _coda_v1_JobFinished__Output } from './coda/v1/JobFinished';
import type { JobProgress as _coda_v1_JobProgress, JobProgress__Output as _coda_v1_JobProgress__Output } from './coda/v1/JobProgress';
import type { MasterClient as _coda_v1_MasterClient, MasterDefinition as _coda_v1_MasterDefinition } from './coda/v1/Master';
import type { ReadParametersReply as _coda_v1_ReadParametersReply, ReadParametersReply__Output as _coda_v1_ReadParametersReply__Output } from './coda/v1/ReadParametersReply';
import type { ReadParametersRequest as _coda_v1_ReadParametersRequest, ReadParametersRequest__Output as _coda_v1_ReadParametersRequest__Output } from './coda/v1/ReadParametersRequest';
import type { RegisterReply as _coda_v1_RegisterReply, RegisterReply__Output as _coda_v1_RegisterReply__Output } from './coda/v1/RegisterReply';
import type { RegisterRequest as _coda_v1_RegisterRequest, RegisterRequest__Output as _coda_v1_RegisterRequest__Output } from './coda/v1/RegisterRequest';
import type { Slice as _coda_v1_Slice, Slice__Output as _coda_v1_Slice__Output } from './coda/v1/Slice';
import type { SubmitJobRequest as _coda_v1_SubmitJobRequest, SubmitJobRequest__Output as _coda_v1_SubmitJobRequest__Output } from './coda/v1/SubmitJobRequest';
import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from './coda/v1/Tensor';
import type { TensorChunk as _coda_v1_TensorChunk, TensorChunk__Output as _coda_v1_TensorChunk__Output } from './coda/v1/TensorChunk';
import type { UploadChunk as _coda_v1_UploadChunk, UploadChunk__Output as _coda_v1_UploadChunk__Output } from './coda/v1/UploadChunk';
import type { UploadReply as _coda_v1_UploadReply, UploadReply__Output as _coda_v1_UploadReply__Output } from './coda/v1/UploadReply';
import type { WriteParametersReply as _coda_v1_WriteParametersReply, WriteParametersReply__Output as _coda_v1_WriteParametersReply__Output } from './coda/v1/WriteParametersReply';
import type { WriteParametersRequest as _coda_v1_WriteParametersRequest, WriteParametersRequest__Output as _coda_v1_WriteParametersRequest__Output } from './coda/v1/WriteParametersRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  coda: {
    v1: {
      AttachJobRequest: MessageTypeDefinition<_coda_v1_AttachJobRequest, _coda_v1_AttachJobRequest__Output>
      CancelJobReply: MessageTypeDefinition<_coda_v1_CancelJobReply, _coda_v1_CancelJobReply__Output>
      CancelJobRequest: MessageTypeDefinition<_coda_v1_CancelJobRequest, _coda_v1_CancelJobRequest__Output>
      FileChunk: MessageTypeDefinition<_coda_v1_FileChunk, _coda_v1_FileChunk__Output>
      HeartbeatReply: MessageTypeDefinition<_coda_v1_HeartbeatReply, _coda_v1_HeartbeatReply__Output>
      HeartbeatRequest: MessageTypeDefinition<_coda_v1_HeartbeatRequest, _coda_v1_HeartbeatRequest__Output>
      JobAccepted: MessageTypeDefinition<_coda_v1_JobAccepted, _coda_v1_JobAccepted__Output>
      JobEvent: MessageTypeDefinition<_coda_v1_JobEvent, _coda_v1_JobEvent__Output>
      JobFailed: MessageTypeDefinition<_coda_v1_JobFailed, _coda_v1_JobFailed__Output>
      JobFinished: MessageTypeDefinition<_coda_v1_JobFinished, _coda_v1_JobFinished__Output>
      JobProgress: MessageTypeDefinition<_coda_v1_JobProgress, _coda_v1_JobProgress__Output>
      /**
       * The master role: worker registry and heartbeats, the centralized parameter store (a baseline),
       * and job submission from `coda run --master`.
       */
      Master: SubtypeConstructor<typeof grpc.Client, _coda_v1_MasterClient> & { service: _coda_v1_MasterDefinition }
      ReadParametersReply: MessageTypeDefinition<_coda_v1_ReadParametersReply, _coda_v1_ReadParametersReply__Output>
      ReadParametersRequest: MessageTypeDefinition<_coda_v1_ReadParametersRequest, _coda_v1_ReadParametersRequest__Output>
      RegisterReply: MessageTypeDefinition<_coda_v1_RegisterReply, _coda_v1_RegisterReply__Output>
      RegisterRequest: MessageTypeDefinition<_coda_v1_RegisterRequest, _coda_v1_RegisterRequest__Output>
      Slice: MessageTypeDefinition<_coda_v1_Slice, _coda_v1_Slice__Output>
      SubmitJobRequest: MessageTypeDefinition<_coda_v1_SubmitJobRequest, _coda_v1_SubmitJobRequest__Output>
      Tensor: MessageTypeDefinition<_coda_v1_Tensor, _coda_v1_Tensor__Output>
      TensorChunk: MessageTypeDefinition<_coda_v1_TensorChunk, _coda_v1_TensorChunk__Output>
      UploadChunk: MessageTypeDefinition<_coda_v1_UploadChunk, _coda_v1_UploadChunk__Output>
      UploadReply: MessageTypeDefinition<_coda_v1_UploadReply, _coda_v1_UploadReply__Output>
      WriteParametersReply: MessageTypeDefinition<_coda_v1_WriteParametersReply, _coda_v1_WriteParametersReply__Output>
      WriteParametersRequest: MessageTypeDefinition<_coda_v1_WriteParametersRequest, _coda_v1_WriteParametersRequest__Output>
    }
  }
}

