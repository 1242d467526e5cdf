import { inVirtualTime } from '../../drill/virtual-clock';

describe('inVirtualTime', () => {
  it('passes simulated minutes at once: timers fire in order of their time, and Date follows them', async () => {
    const realStart = Date.now();

    const { result, elapsedMs } = await inVirtualTime(async () => {
      const fired: string[] = [];
      const t0 = Date.now();
      await Promise.all([
        new Promise<void>((resolve) => setTimeout(() => (fired.push(`b@${Date.now() - t0}`), resolve()), 10 * 60_000)),
        new Promise<void>((resolve) => setTimeout(() => (fired.push(`a@${Date.now() - t0}`), resolve()), 60_000)),
      ]);
      return fired;
    });

    expect(result).toEqual(['a@60000', 'b@600000']);
    expect(elapsedMs).toBe(600_000);
    expect(Date.now() - realStart).toBeLessThan(30_000);
  });

  it('lets promise chains between timers settle before time moves', async () => {
    const { result } = await inVirtualTime(async () => {
      let chained = 0;
      const chain = (async () => {
        for (let i = 0; i < 100; i++) await Promise.resolve(chained++);
      })();
      const seen = await new Promise<number>((resolve) => setTimeout(() => resolve(chained), 1));
      await chain;
      return seen;
    });

    expect(result).toBe(100);
  });

  it('rethrows the work\'s failure and gives the real timers back', async () => {
    await expect(inVirtualTime(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');

    await expect(new Promise((resolve) => setTimeout(() => resolve('real'), 5))).resolves.toBe('real');
  });

  it('fails, rather than hangs, when the work waits for something that is no timer', async () => {
    await expect(inVirtualTime(() => new Promise<never>(() => undefined))).rejects.toThrow(/not a timer/);
  });
});
