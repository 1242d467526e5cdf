/**
 * At most `calls` calls begin in any `windowMs`: each of `calls` slots is taken when a call
 * begins and is free again `windowMs` later (a timer started then, not when the answer comes, so
 * the call's own time is not added to the spacing). Works with waits alone, no clock: the drill's
 * scaled waits and the tests' instant ones pace it the same way.
 *
 * The window of a sliding-window limit such as LookupEvents' "2 requests per second" is exactly
 * the service's, plus a margin for the clocks (the service's and this timer's) not agreeing to the
 * millisecond.
 */
export class SlidingWindowLimiter {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(
    calls: number,
    private readonly windowMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.free = calls;
  }

  /** Resolves when a call may begin; the caller begins it at once. */
  async take(): Promise<void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    void this.sleep(this.windowMs).then(() => this.release());
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
