/**
 * A sliding-window rate limit ("2 requests a second") kept from the caller's side: each of
 * `calls` slots is taken when a call begins and is free again once `afterStartMs` have passed since
 * it began and `afterAnswerMs` since its answer (or failure) came. A waiting call goes the moment a
 * slot frees, in the order the calls came; the call's own time does not add to the spacing unless
 * the answer is slow. Works with waits alone, no clock: the drill's scaled waits and the tests'
 * instant ones pace it the same way.
 */
export class SlidingWindowLimiter {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(
    calls: number,
    private readonly afterStartMs: number,
    private readonly afterAnswerMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.free = calls;
  }

  /** Runs `call` when a slot is free. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    const started = this.sleep(this.afterStartMs);
    try {
      return await call();
    } finally {
      const release = () => this.release();
      // A wait that fails still frees the slot (and is no unhandled rejection).
      void Promise.all([started, this.sleep(this.afterAnswerMs)]).then(release, release);
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
