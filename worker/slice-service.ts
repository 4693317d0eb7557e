import * as grpc from '@grpc/grpc-js';
import { CodaError, InputError } from '../shared/errors';
import { tensorValues, vectorToTensor, type pb } from '../shared/wire';
import type { WorkerMetrics } from './metrics';
import { SliceBusyError, SliceVersionError, UnknownSliceError, type SliceId, type SliceStore } from './slice-store';

type SliceHandlers = Pick<pb.WorkerHandlers, 'ReadSlice' | 'ReadSlices' | 'WriteSlice' | 'DropSlices'>;

function statusOf(e: unknown): grpc.ServiceError {
  const code =
    e instanceof UnknownSliceError
      ? grpc.status.NOT_FOUND
      : e instanceof SliceVersionError || e instanceof SliceBusyError
        ? grpc.status.FAILED_PRECONDITION
        : e instanceof CodaError
          ? grpc.status.INVALID_ARGUMENT
          : grpc.status.INTERNAL;
  const msg = (e as Error).message;
  return Object.assign(new Error(msg), { code, details: msg, metadata: new grpc.Metadata() });
}

function sliceId(key: pb.SliceKey__Output | null): SliceId {
  if (!key || !key.jobId || !key.name) throw new InputError('slice request: needs a key with job_id and name');
  return { jobId: key.jobId, name: key.name, slice: key.slice };
}

/**
 * The Worker service's slice RPCs over this worker's SliceStore: the serving half of the sharded
 * parameter store. Every call presents the cluster token (the master's, or a peer worker's: the
 * workers of a cluster share it), checked by the server's token interceptor before these run.
 * Slice errors keep codes of their own (NOT_FOUND, FAILED_PRECONDITION): readers act on them.
 */
export function sliceHandlers(slices: SliceStore, metrics: WorkerMetrics): SliceHandlers {
  const answer = (r: pb.ReadSliceRequest__Output): pb.ReadSliceReply => {
    const got = slices.read(sliceId(r.key), {
      skipValues: r.skipValues,
      ...(r.hasPrevious ? { previous: { version: Number(r.previousVersion), untilUs: r.untilUs } } : {}),
    });
    metrics.sliceReads.inc({ kind: r.skipValues ? 'versions' : 'values' });
    return {
      ...(got.values ? { values: vectorToTensor(got.values) } : {}),
      start: String(got.start),
      version: String(got.version),
      writtenAtUs: got.writtenAtUs,
      servedAtUs: got.servedAtUs,
      nextWrittenAtUs: got.nextWrittenAtUs,
      writesUntil: got.writesUntil,
      historyComplete: got.historyComplete,
      torn: got.torn,
      mixedElements: got.mixedElements,
    };
  };
  return {
    ReadSlice(call, callback) {
      try {
        callback(null, answer(call.request));
      } catch (e) {
        callback(statusOf(e));
      }
    },
    ReadSlices(call) {
      let failed = false;
      call.on('data', (r: pb.ReadSliceRequest__Output) => {
        if (failed) return;
        try {
          call.write(answer(r));
        } catch (e) {
          // The reader matches replies to requests by order: a request without a reply ends the stream.
          failed = true;
          call.emit('error', statusOf(e));
        }
      });
      call.on('end', () => !failed && call.end());
    },
    WriteSlice(call, callback) {
      try {
        const r = call.request;
        const version = Number(r.version);
        const writtenAtUs = slices.put(sliceId(r.key), Number(r.start), tensorValues(r.values, 'WriteSlice.values'), version);
        callback(null, { version: String(version), writtenAtUs });
      } catch (e) {
        callback(statusOf(e));
      }
    },
    DropSlices(call, callback) {
      if (!call.request.jobId) return callback(statusOf(new InputError('DropSlices: needs a job_id')));
      callback(null, { dropped: slices.drop(call.request.jobId, call.request.name || undefined) });
    },
  };
}
