import { SlidingWindowLimiter } from '../../../lambdas/investigate/rate-limit';
import { VirtualClock } from './virtual-clock';

/** Calls that each take `callMs` of virtual time; notes when each began. */
function caller(limiter: SlidingWindowLimiter, clock: VirtualClock, begun: Array<[string, number]>, name: string, n: number, callMs = 0) {
  return async () => {
    for (let i = 0; i < n; i++) {
      await limiter.run(async () => {
        begun.push([name, clock.now]);
        if (callMs) await clock.sleep(callMs);
      });
    }
  };
}

describe('SlidingWindowLimiter', () => {
  it('lets `calls` begin at once, then each as soon as the window since the call it replaces has passed', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(2, 1100, 1050, clock.sleep);
    const begun: Array<[string, number]> = [];

    await clock.run(caller(limiter, clock, begun, 'a', 7)());

    expect(begun.map(([, at]) => at)).toEqual([0, 0, 1100, 1100, 2200, 2200, 3300]);
  });

  it('serves callers waiting side by side in the order they came, never more than `calls` in a window', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(2, 1000, 0, clock.sleep);
    const begun: Array<[string, number]> = [];

    await clock.run(Promise.all(['a', 'b', 'c'].map((name) => caller(limiter, clock, begun, name, 3)())));

    expect(begun).toEqual([
      ['a', 0], ['b', 0],
      ['c', 1000], ['a', 1000],
      ['b', 2000], ['c', 2000],
      ['a', 3000], ['b', 3000],
      ['c', 4000],
    ]);
  });

  it('does not add a quick call\'s own time to the spacing', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(1, 1100, 1050, clock.sleep);
    const begun: Array<[string, number]> = [];

    await clock.run(caller(limiter, clock, begun, 'a', 3, 40)());

    expect(begun.map(([, at]) => at)).toEqual([0, 1100, 2200]);
  });

  it('keeps a slot until `afterAnswerMs` after a slow answer, since the service may count the call that late', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(1, 1100, 1050, clock.sleep);
    const begun: Array<[string, number]> = [];

    await clock.run(caller(limiter, clock, begun, 'a', 3, 300)());

    expect(begun.map(([, at]) => at)).toEqual([0, 1350, 2700]);
  });

  it('frees the slot of a call that failed, and passes the failure on', async () => {
    const clock = new VirtualClock();
    const limiter = new SlidingWindowLimiter(1, 1100, 1050, clock.sleep);
    const begun: number[] = [];
    const failing = () => limiter.run(async () => {
      begun.push(clock.now);
      throw new Error('Throttling');
    });

    const outcomes = await clock.run(Promise.allSettled([failing(), failing()]));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(begun).toEqual([0, 1100]);
  });
});

describe('SlidingWindowLimiter with a failing wait', () => {
  it('still frees the slot', async () => {
    const sleep = jest.fn(async (_ms: number) => {
      throw new Error('timer failed');
    });
    const limiter = new SlidingWindowLimiter(1, 1100, 1050, sleep);

    const answers = [await limiter.run(async () => 'first'), await limiter.run(async () => 'second')];

    expect(answers).toEqual(['first', 'second']);
  });
});
