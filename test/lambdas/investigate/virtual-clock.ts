import { flush } from './harness';

/**
 * Waits that pass in virtual time, at once: `sleep` is a wait the clock ends when `run` reaches
 * its time, earliest first. `now` is the virtual time in ms, from 0.
 */
export class VirtualClock {
  now = 0;
  private readonly timers: Array<{ at: number; order: number; resolve: () => void }> = [];
  private order = 0;

  readonly sleep = jest.fn(
    (ms: number) => new Promise<void>((resolve) => this.timers.push({ at: this.now + ms, order: this.order++, resolve })),
  );

  /** Runs `work` to its end, moving the clock to each wait's end in turn. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const settled = work.finally(() => {
      done = true;
    });
    settled.catch(() => undefined);
    for (;;) {
      await flush();
      if (done) return work;
      this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.timers.shift();
      if (!next) throw new Error('the work waits for nothing the clock knows, yet has not finished');
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
  }
}
