import { describe, expect, it } from 'vitest';
import type { DelaySpec } from '../../../shared/chaos';
import { delayFromMessage, delayToMessage, type pb } from '../../../shared/wire';

describe('delay specs across the wire', () => {
  const specs: DelaySpec[] = [
    { dist: 'none' },
    { dist: 'constant', value: 0.01 },
    { dist: 'exponential', rate: 200 },
    { dist: 'shifted-exponential', shift: 0.005, rate: 200 },
    { dist: 'pareto', scale: 0.01, alpha: 2.5 },
    { dist: 'bimodal', p: 0.3, fast: 0, slow: 0.05 },
    { dist: 'mixture', base: 0.01, multiples: [1, 2.5, 9], weights: [0.945, 0.05, 0.005] },
    { dist: 'lambda-tail', base: 0.02 },
    { dist: 'lambda-tail', base: 0.02, per: 'task' },
    { dist: 'constant', value: 0.01, per: 'worker-round' },
    { dist: 'markov', base: 0.01, factor: 8, normalDwell: 4, slowDwell: 1 },
    { dist: 'markov', base: 0.01, factor: 1, normalDwell: 0.5, slowDwell: 2, per: 'task' },
  ];
  for (const spec of specs) {
    it(`${spec.dist} round-trips`, () => {
      // What proto-loader hands the worker: every field present, defaults for the unset ones.
      const defaults = { dist: '', value: 0, shift: 0, rate: 0, scale: 0, alpha: 0, p: 0, fast: 0, slow: 0, base: 0, multiples: [], weights: [], per: '' };
      const received = { ...defaults, ...delayToMessage(spec) } as pb.DelaySpecMessage__Output;
      expect(delayFromMessage(received)).toEqual(spec);
    });
  }
  it('a trace carries only the worker’s own stream (bytes), its start, mode and scale', () => {
    const spec: DelaySpec = { dist: 'trace', file: 'times.csv', mode: 'resample', scale: 2, stream: { values: Float64Array.from([0.01, 0.02, 0.5]), start: 1 } };
    const msg = delayToMessage(spec);
    expect(msg.trace?.shape).toEqual([3]);
    expect(Buffer.isBuffer(msg.trace?.data) || msg.trace?.data instanceof Uint8Array).toBe(true);
    const received = { per: '', ...msg, trace: { shape: [3], data: Buffer.from(msg.trace!.data as Uint8Array) } } as pb.DelaySpecMessage__Output;
    expect(delayFromMessage(received)).toEqual(spec);
    // The file is the master's: a trace not yet cut into streams never goes out.
    expect(() => delayToMessage({ dist: 'trace', file: 'times.csv' })).toThrow(/read at the master/);
  });
  it('an unknown distribution is refused by name', () => {
    expect(() => delayFromMessage({ dist: 'gamma' } as pb.DelaySpecMessage__Output)).toThrow("unknown delay distribution 'gamma'");
  });
});
