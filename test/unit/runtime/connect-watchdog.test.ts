import { describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, ConnectWatchdog } from '../../../worker/connect-watchdog';

describe('ConnectWatchdog: a connection attempt the network drops is given up after 20 s', () => {
  it('says stuck once the channel has been connecting for the timeout, then counts again', () => {
    const w = new ConnectWatchdog();
    expect(CONNECT_TIMEOUT_MS).toBe(20_000);
    // Failed calls every 5 s while the channel stays CONNECTING (a partition).
    const script: [number, boolean, boolean][] = [
      [0, true, false],
      [5_000, true, false],
      [19_999, true, false],
      [20_000, true, true],
      // The fresh channel's attempt gets its own 20 s.
      [25_000, true, false],
      [44_999, true, false],
      [45_000, true, true],
    ];
    for (const [now, connecting, stuck] of script) expect(w.stuck(connecting, now), `at ${now} ms`).toBe(stuck);
  });

  it('a channel that leaves CONNECTING in between (refused, backing off, ready) starts the count over', () => {
    const w = new ConnectWatchdog(1000);
    expect(w.stuck(true, 0)).toBe(false);
    expect(w.stuck(false, 900)).toBe(false);
    expect(w.stuck(true, 950)).toBe(false);
    expect(w.stuck(true, 1900)).toBe(false);
    expect(w.stuck(true, 1950)).toBe(true);
    expect(w.stuck(false, 10_000)).toBe(false);
  });
});
