/**
 * The wire: proto loading, tensors as bytes, placement chunking, token and TLS, health.
 *
 *   const { worker } = loadProtos();
 *   const client = new worker.coda.v1.Worker(address, channelCredentials(tls), CHANNEL_OPTIONS);
 *   client.runTask(request, tokenMetadata(token), { deadline }, callback);
 */
export { loadProtos, protoRoot, LOADER_OPTIONS } from './proto';
export { vectorToTensor, tensorValues } from './tensor-codec';
export { CHUNK_BYTES, chunks } from './chunking';
export {
  TOKEN_METADATA_KEY,
  type TlsFiles,
  serverCredentials,
  channelCredentials,
  tokenMetadata,
  tokenMatches,
} from './credentials';
export { addHealth } from './health';
export { splitHostPort, joinHostPort, parseHostPort } from './address';
export { SERVER_OPTIONS, CHANNEL_OPTIONS, MAX_SEND_BYTES, abortServer, bindServer, shutdownServer } from './server';
export { tokenInterceptor, serverOptions } from './token-interceptor';
export type * as pb from './types';
export { delayToMessage, delayFromMessage, faultFromMessage } from './chaos-codec';
export { unaryCall, type UnaryMethod } from './unary';
export { RequestStream } from './request-stream';
export { BULK_TICKET_BYTES, BULK_MAX_FRAME, headerFrame, resultFrame, decodeHeader, decodeResult } from './bulk';
export { tensorChunks, TensorAssembler } from './tensor-chunks';
