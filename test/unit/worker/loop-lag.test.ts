import { describe, expect, it } from 'vitest';
import { LoopLagWindows } from '../../../worker/loop-lag';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('the event-loop lag a worker reports per job', () => {
  it('sees a loop held for 120 ms in the window open then, not in one opened after; a closed window starts afresh', async () => {
    const w = new LoopLagWindows();
    expect(w.of('a')).toEqual({ p99: 0, max: 0 });
    await new Promise((r) => setTimeout(r, 50));
    await new Promise<void>((r) =>
      setTimeout(() => {
        busy(120);
        r();
      }, 5),
    );
    await new Promise((r) => setTimeout(r, 30));
    // The monitor's timer could not fire while the loop was held: at least 120 ms − one 10 ms period late.
    const a = w.of('a');
    expect(a.max).toBeGreaterThanOrEqual(0.1);
    expect(a.p99).toBeLessThanOrEqual(a.max);
    // A window opened after the hold has not seen it (nor anything yet).
    expect(w.of('b')).toEqual({ p99: 0, max: 0 });
    w.close('a');
    expect(w.of('a')).toEqual({ p99: 0, max: 0 });
    w.close('a');
    w.close('b');
  });
});
