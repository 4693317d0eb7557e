import { describe, expect, it } from 'vitest';
import { fairShare } from '../../../master/jobs/straggler-showdown';

describe('straggler showdown: a fair share for the approximate schemes', () => {
  it('ignore-stragglers: one block a slot, the first `answers` of `slots`', () => {
    expect(fairShare({ name: 'ignore-stragglers' }, 16, 12)).toEqual({ spec: { name: 'ignore-stragglers', q: 12 }, blocks: 16 });
  });

  it('leverage: the same slots and answers, over half as many blocks so it can replicate by score', () => {
    expect(fairShare({ name: 'leverage' }, 16, 12)).toEqual({ spec: { name: 'leverage', slots: 16, q: 12 }, blocks: 8 });
  });

  it("a scheme's own q, fraction or slots and the job's blocks win", () => {
    expect(fairShare({ name: 'ignore-stragglers', fraction: 0.5 }, 16, 12)).toEqual({ spec: { name: 'ignore-stragglers', fraction: 0.5 } });
    expect(fairShare({ name: 'leverage', slots: 32 }, 16, 12)).toEqual({ spec: { name: 'leverage', slots: 32, q: 12 }, blocks: 16 });
    expect(fairShare({ name: 'leverage' }, 16, 12, 4)).toEqual({ spec: { name: 'leverage', slots: 16, q: 12 }, blocks: 4 });
  });

  it('exact schemes are left alone', () => {
    expect(fairShare({ name: 'frc', stragglers: 1 }, 16, 12)).toEqual({ spec: { name: 'frc', stragglers: 1 } });
    expect(fairShare({ name: 'wait-all' }, 16, 12, 8)).toEqual({ spec: { name: 'wait-all' }, blocks: 8 });
  });
});
