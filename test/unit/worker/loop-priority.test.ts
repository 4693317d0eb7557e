import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { defaultAddonPath, loadBinding } from '../../../shared/kernels/native/binding';
import { LoopPriority, type ThreadScheduling } from '../../../worker/compute/loop-priority';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

/** A scheduling control that records what it was asked and answers `answers` in turn (then true). */
function fake(answers: boolean[] = []): ThreadScheduling & { calls: boolean[] } {
  const calls: boolean[] = [];
  return { calls, set: (idle) => (calls.push(idle), answers.shift() ?? true) };
}

describe('a compute thread idle-class while it steps AsyncEigenPro loops', () => {
  it('enters the idle class at the first loop opened and leaves it at the last one closed', () => {
    const s = fake();
    const p = new LoopPriority(s);
    p.opened();
    p.opened();
    expect(s.calls).toEqual([true]);
    expect(p.isIdle).toBe(true);
    p.closed();
    expect(s.calls).toEqual([true]);
    p.closed();
    expect(s.calls).toEqual([true, false]);
    expect(p.isIdle).toBe(false);
    // A close without an open (a loop whose open failed) changes nothing.
    p.closed();
    expect(s.calls).toEqual([true, false]);
  });

  it('keeps the ordinary class when the kernel refuses the idle one, and says so when it cannot leave it', () => {
    const refused = fake([false]);
    const p = new LoopPriority(refused);
    p.opened();
    p.closed();
    expect(refused.calls).toEqual([true]);
    expect(p.isIdle).toBe(false);

    const noWayBack = fake([true, false]);
    const q = new LoopPriority(noWayBack);
    q.opened();
    q.closed();
    expect(q.stuck).toBe(true);
    expect(q.isIdle).toBe(true);
    q.opened();
    q.closed();
    expect(noWayBack.calls).toEqual([true, false]);
  });

  it('does nothing without a scheduling control (no addon)', () => {
    const p = new LoopPriority(undefined);
    p.opened();
    p.closed();
    expect(p.isIdle).toBe(false);
  });
});

const native = nativeKernelsOrSkip('thread scheduling class');
const hasControl = !!native && process.platform === 'linux' && typeof loadBinding(defaultAddonPath()).threadScheduling === 'function';
if (native && process.platform === 'linux' && !hasControl) {
  const msg = '[thread scheduling class] the addon build lacks threadScheduling (built before it): SKIPPED. Rebuild: npm run build:native';
  if (process.env.CODA_REQUIRE_NATIVE === '1') throw new Error(msg);
  console.warn(msg);
}

/** In the thread: idle-class, read its policy from /proc, back, read again; post the policies. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const b = require(workerData.addon);
const policy = () => { const st = readFileSync('/proc/thread-self/stat', 'utf8'); return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[38]); };
const idle = b.threadScheduling(true);
const inIdle = policy();
const back = b.threadScheduling(false);
parentPort.postMessage({ idle, inIdle, back, after: policy() });
`;

describe.skipIf(!hasControl)('the addon sets the calling thread\'s class only', () => {
  it('puts a worker thread under SCHED_IDLE (5) and back under SCHED_OTHER (0); the main thread keeps its own', async () => {
    const mainPolicy = (): number => {
      const st = readFileSync('/proc/thread-self/stat', 'utf8');
      return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[38]);
    };
    const before = mainPolicy();
    const r = await new Promise<{ idle: boolean; inIdle: number; back: boolean; after: number }>((resolve, reject) => {
      const w = new Worker(THREAD, { eval: true, workerData: { addon: defaultAddonPath() } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(r.idle).toBe(true);
    expect(r.inIdle).toBe(5);
    expect(mainPolicy()).toBe(before);
    // Leaving the idle class needs RLIMIT_NICE or CAP_SYS_NICE: where refused, the thread says so and stays.
    expect(r.after).toBe(r.back ? 0 : 5);
  });
});
