import { SlidingWindowLimiter } from '../../../lambdas/investigate/rate-limit';
import { VirtualClock } from './virtual-clock';

/** Takes the limiter `n` times one after the other, noting when each call may begin. */
async function takeTimes(limiter: SlidingWindowLimiter, clock: VirtualClock, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await limiter.take();
    times.push(clock.now);
  }
  return times;
}

describe('SlidingWindowLimiter', () => {
  it('lets `calls` begin at once, then each as soon as the window since the call it replaces has passed', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(2, 1100, clock.sleep);

    const times = await clock.run(takeTimes(limiter, clock, 7));

    expect(times).toEqual([0, 0, 1100, 1100, 2200, 2200, 3300]);
  });

  it('serves callers waiting side by side in the order they came, never more than `calls` in a window', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(2, 1000, clock.sleep);
    const begun: Array<[string, number]> = [];
    const caller = async (name: string) => {
      for (let i = 0; i < 3; i++) {
        await limiter.take();
        begun.push([name, clock.now]);
      }
    };

    await clock.run(Promise.all([caller('a'), caller('b'), caller('c')]));

    expect(begun).toEqual([
      ['a', 0], ['b', 0],
      ['c', 1000], ['a', 1000],
      ['b', 2000], ['c', 2000],
      ['a', 3000], ['b', 3000],
      ['c', 4000],
    ]);
  });

  it('does not count the time a call takes: a slow answer does not push the next call back', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(1, 1000, clock.sleep);
    const begun: number[] = [];

    await clock.run(
      (async () => {
        for (let i = 0; i < 3; i++) {
          await limiter.take();
          begun.push(clock.now);
          await clock.sleep(400); // the call's own time
        }
      })(),
    );

    expect(begun).toEqual([0, 1000, 2000]);
  });
});
