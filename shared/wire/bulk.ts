import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { LOADER_OPTIONS, protoRoot } from './proto';
import type { BlockHeader, BlockHeader__Output, BulkResult, BulkResult__Output } from './types';

/**
 * The bulk channel's framing (see OpenBulk in proto/coda/v1/worker.proto): a ticket, then frames
 * of a u32 big-endian length and a Protobuf message, block bytes raw in between. Both roles'
 * ends share these helpers; the messages are the contract's own types.
 */
export const BULK_TICKET_BYTES = 16;
/** The largest frame either side accepts: a header or a result is a few dozen bytes. */
export const BULK_MAX_FRAME = 64 << 10;

let types: { header: protobuf.Type; result: protobuf.Type } | undefined;

function bulkTypes(): { header: protobuf.Type; result: protobuf.Type } {
  if (types) return types;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoRoot(), target);
  root.loadSync('coda/v1/worker.proto', { keepCase: false });
  types = { header: root.lookupType('coda.v1.BlockHeader'), result: root.lookupType('coda.v1.BulkResult') };
  return types;
}

/** The same plain-object form gRPC hands handlers (longs as strings, defaults, oneof names). */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: LOADER_OPTIONS.defaults, oneofs: LOADER_OPTIONS.oneofs };

function frame(type: protobuf.Type, msg: object): Buffer {
  const body = type.encode(type.fromObject(msg)).finish();
  const out = Buffer.allocUnsafe(4 + body.byteLength);
  out.writeUInt32BE(body.byteLength, 0);
  out.set(body, 4);
  return out;
}

export function headerFrame(h: BlockHeader): Buffer {
  return frame(bulkTypes().header, h);
}

export function resultFrame(r: BulkResult): Buffer {
  return frame(bulkTypes().result, r);
}

export function decodeHeader(body: Uint8Array): BlockHeader__Output {
  const t = bulkTypes().header;
  return t.toObject(t.decode(body), TO_OBJECT) as BlockHeader__Output;
}

export function decodeResult(body: Uint8Array): BulkResult__Output {
  const t = bulkTypes().result;
  return t.toObject(t.decode(body), TO_OBJECT) as BulkResult__Output;
}
