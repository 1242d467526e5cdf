// A clock that does not wait: time moves only when every piece of work in flight is waiting for a
// timer, and then jumps to the next one. Simulated time then no longer depends on how busy the
// machine is: a wave of 500 executions costs the same simulated seconds on a loaded 2-core box as
// on an idle one, and the minutes of back-off it measures take no real minutes.
import { setImmediate as realImmediate } from 'node:timers';
import { withGlobal } from '@sinonjs/fake-timers';

/** How many turns of the event loop with no timer due and the work not done before giving up. */
const STALL_TURNS = 10_000;

/** Whether work is still in flight outside the timers: a pending setImmediate or I/O request. */
function busy(): boolean {
  return process.getActiveResourcesInfo().some((r) => r === 'Immediate' || r.startsWith('FSReq') || r === 'FileHandleCloseReq');
}

/**
 * Runs `work` with the global timers and Date replaced by a virtual clock starting at the real now,
 * advancing it timer by timer whenever the pending promises have settled. Returns what `work`
 * returned and how many virtual milliseconds it took; the real timers are back afterwards.
 */
export async function inVirtualTime<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const clock = withGlobal(globalThis).install({
    now: Date.now(),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  const start = clock.now;
  try {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    void work().then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    let idle = 0;
    while (outcome === undefined) {
      // Let every promise chain run until it waits for a timer (or is done).
      do await new Promise((resolve) => realImmediate(resolve));
      while (busy());
      if (outcome !== undefined) break;
      if (clock.countTimers() === 0) {
        if (++idle > STALL_TURNS) throw new Error('virtual clock: the work waits for something that is not a timer');
        continue;
      }
      idle = 0;
      clock.next();
    }
    if (!outcome.ok) throw outcome.error;
    return { result: outcome.value, elapsedMs: clock.now - start };
  } finally {
    clock.uninstall();
  }
}
