// The workflow's Retry waits the plain drill skips (drill/workflow.ts zeroes them: it measures work,
// not back-off), counted instead: each skipped wait is the one Step Functions would have made, and
// the simulated account's clock moves on by it, so what refills in time (the shared IAM write rate,
// LookupEvents per region) has refilled when the retry runs, as it would have in AWS.

/** One entry of a state's `Retry` (States Language). */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** The States Language defaults (and aws-local-stepfunctions'). */
const DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/**
 * The wait before the next try of a Task that failed with `errorName`, as Step Functions decides it:
 * the first retrier naming the error (or `States.ALL`, `States.TaskFailed`) applies; undefined when
 * none does or its attempts are used up (no retry). `attempts` are the tries each retrier already
 * gave (updated here); `random` draws the full jitter (0 to the wait).
 */
export function retryWaitMs(retriers: readonly Retrier[], attempts: number[], errorName: string, random: () => number = Math.random): number | undefined {
  const index = retriers.findIndex((r) => r.ErrorEquals.some((e) => e === errorName || e === 'States.ALL' || e === 'States.TaskFailed'));
  if (index < 0) return undefined;
  const r = retriers[index];
  const done = attempts[index] ?? 0;
  if (done >= (r.MaxAttempts ?? DEFAULTS.MaxAttempts)) return undefined;
  attempts[index] = done + 1;
  const seconds = (r.IntervalSeconds ?? DEFAULTS.IntervalSeconds) * (r.BackoffRate ?? DEFAULTS.BackoffRate) ** done;
  const waitMs = Math.min(seconds, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000;
  return r.JitterStrategy === 'FULL' ? random() * waitMs : waitMs;
}

/**
 * Wraps a Task's local handler so that each failure the state's Retry would retry moves the
 * simulated clock on by the wait Step Functions would have made (`skip`). The tries of one entry of
 * the state are told apart from another's by the Task's input (the Map's items differ).
 */
export function countingSkippedWaits<T>(
  retriers: readonly Retrier[],
  handler: (input: unknown) => Promise<T>,
  skip: (ms: number) => void,
  random?: () => number,
): (input: unknown) => Promise<T> {
  const attemptsByInput = new Map<string, number[]>();
  return async (input) => {
    const key = JSON.stringify(input) ?? '';
    try {
      const out = await handler(input);
      attemptsByInput.delete(key);
      return out;
    } catch (err) {
      const attempts = attemptsByInput.get(key) ?? [];
      const waitMs = retryWaitMs(retriers, attempts, (err as Error | undefined)?.name ?? 'Error', random);
      if (waitMs === undefined) attemptsByInput.delete(key);
      else {
        attemptsByInput.set(key, attempts);
        skip(waitMs);
      }
      throw err;
    }
  };
}
