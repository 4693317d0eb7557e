import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TaskStream } from '../../../master/cluster/task-stream';
import type { pb } from '../../../shared/wire';

/** A stand-in for grpc-js's client duplex: the test emits what the worker "sends". */
class FakeDuplex extends EventEmitter {
  readonly written: unknown[] = [];
  cancelled = false;
  write(m: unknown): boolean {
    this.written.push(m);
    return true;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

function open(): { call: FakeDuplex; stream: TaskStream; broken: string[]; ignored: string[] } {
  const call = new FakeDuplex();
  const broken: string[] = [];
  const ignored: string[] = [];
  const stream = new TaskStream(
    () => call as never,
    (r) => broken.push(r),
    (reason) => ignored.push(reason),
  );
  return { call, stream, broken, ignored };
}

const result = (jobId: string, round: string): pb.TaskStreamReply__Output =>
  ({ result: { workerIndex: 0, round, slot: 0, timings: null, payload: null, jobId }, failure: undefined, message: 'result' }) as unknown as pb.TaskStreamReply__Output;

describe("the master's end of a task stream takes whatever the worker sends without throwing", () => {
  it('routes replies to their round; counts empty ones and ones for no round in flight', () => {
    const { call, stream, ignored, broken } = open();
    const got: string[] = [];
    stream.listen('j', '3', { result: (r) => got.push(`result ${r.round}`), failure: (f) => got.push(`failure ${f.slot}`) });
    call.emit('data', result('j', '3'));
    call.emit('data', { failure: { jobId: 'j', round: '3', slot: 5, code: 13, message: 'x' }, message: 'failure' });
    call.emit('data', result('j', '4'));
    call.emit('data', result('other', '3'));
    call.emit('data', {});
    expect(got).toEqual(['result 3', 'failure 5']);
    expect(ignored).toEqual(['late', 'late', 'empty']);
    expect(broken).toEqual([]);
  });

  it('a listener that throws (it must not) breaks the stream instead of throwing into grpc-js', () => {
    const { call, stream, broken } = open();
    stream.listen('j', '1', {
      result: () => {
        throw new Error('a bug');
      },
      failure: () => undefined,
    });
    expect(() => call.emit('data', result('j', '1'))).not.toThrow();
    expect(broken).toEqual(['a reply could not be handled: a bug']);
    expect(call.cancelled).toBe(true);
    expect(stream.open).toBe(false);
  });

  it('an error or an end from the worker is reported once', () => {
    const { call, broken } = open();
    call.emit('error', Object.assign(new Error('Response message parsing error: index out of range'), { details: 'Response message parsing error: index out of range' }));
    call.emit('end');
    expect(broken).toEqual(['task stream failed: Response message parsing error: index out of range']);
  });
});
