import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The fan-out forks its own compiled file as the echo processes: run it from dist/.
const { BareFanout } = require(join(__dirname, '../../dist/bench/bare-rounds')) as typeof import('../../bench/bare-rounds');
const { codaNoopSizes } = require(join(__dirname, '../../dist/bench/scale')) as typeof import('../../bench/scale');

describe('the bare bidi-stream fan-out (the benches’ anchor)', () => {
  it('lays services out as asked, waits for the slowest in a full round, and counts only the current round’s answers', async () => {
    const fan = await BareFanout.start(5, 2);
    try {
      expect(fan.workers).toBe(5);
      await fan.warmUp(3, 0);
      // Every service sleeps before answering: a full round cannot end before the longest sleep
      // (the sleeps are planned by the timer calibration, which may fire a few ms early).
      expect(await fan.run([0.05, 0, 0.2, 0, 0.1])).toBeGreaterThanOrEqual(0.15);
      // First 1 of 2 ends before service 1's answer (0.1 s); that late answer arrives during the
      // next round and must not count for it, which waits for service 1's own 0.5 s.
      await fan.run([0, 0.1], 1, 0);
      expect(await fan.run([0, 0.5], 2, 0)).toBeGreaterThanOrEqual(0.4);
      await expect(fan.run([0, 0, 0, 0, 0, 0])).rejects.toThrow(RangeError);
      // Messages the size of Coda's own no-op messages (the no-op rounds' anchor).
      const sizes = codaNoopSizes('scale-5', 5);
      expect(sizes.requestBytes).toBeGreaterThan(24);
      expect(sizes.answerBytes).toBeGreaterThan(sizes.requestBytes);
      expect(await fan.run([0, 0, 0, 0, 0], 5, 0, sizes)).toBeGreaterThan(0);
    } finally {
      fan.close();
    }
  });
});
