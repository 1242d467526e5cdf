// One retry loop for AWS calls. Where it is used, the SDK client is built with `maxAttempts: 1`
// (see the handler), so a call is sent at most `attempts` times in all, never SDK attempts x ours.
//
// Who retries what, per step: one loop per call, never two multiplied. "Sends" is how many times
// one call that keeps failing transiently (throttling, 5xx) is sent in all before the step gives
// up on it. The ASL's MaxAttempts counts retries: 6 means 7 tries.
//
// | step (Task)           | SDK maxAttempts               | the Lambda's own loop                 | ASL Retry of the Task                        | sends, in all    |
// |-----------------------|-------------------------------|---------------------------------------|----------------------------------------------|------------------|
// | dispatcher            | 8, adaptive (CLIENT_RETRIES)  | none                                  | none; a failed invocation is run again by Lambda's async retries (2), then goes to the DLQ | 8 an invocation, 24 at most |
// | Contain (3 branches)  | 1 (NO_SDK_RETRIES)            | none (revoke: concurrent writes only) | 250 on ThrottledError and Lambda.TooManyRequestsException (up to 5 s each, full jitter: ~10 min in all); 6 on other TransientAwsError (1 s, x2, max 20 s) | 251 throttled, 7 otherwise |
// | Verify                | 1                             | none                                  | 6 on TransientAwsError                       | 7                |
// | Investigate           | 1                             | 5 tries (withBackoff: 1, 2, 4, 8 s)   | not reached: AWS failures are recorded       | 5                |
// | PreserveEvidence      | 1                             | 3 tries (0.5, 1 s)                    | not reached: AWS failures are recorded       | 3                |
// | WriteReport, Rewrite… | 1                             | none                                  | 6 on TransientAwsError                       | 7                |
// | AnswerSupportCase     | 1                             | none                                  | 6 on TransientAwsError                       | 7                |
// | NotifySlack           | Secrets Manager: 3 (in 5 s)   | the post: 3 tries (0.5, 1 s; a 429's Retry-After up to 3 s), all within 12 s | Lambda service errors only: the step never throws | secret 3, post 3 |
// | NotifyResult          | 1                             | none                                  | 6 on TransientAwsError                       | 7                |
// | PreserveEvidence's prices (Price List API) | 2 | none                                   | not reached: a missing price is recorded     | 2                |
// | the dispatcher's Slack notices (SNS -> slack Lambda) | Secrets Manager: 3 | the post: 3 tries, within 12 s | none; a notice not posted throws: Lambda's async retries (2) run it again | post 9 at most, minutes apart |
//
// IAM's LimitExceeded (a full quota) is retried nowhere: contain goes straight to its fallback.
// Contain's ThrottledError budget, for a wave (README "A wave of exposures"): N keys need 3N IAM
// writes; at the account's 10 writes/s the last key is contained after 3N/10 s. 250 retries
// waiting uniform 0-5 s (mean 2.5 s, independent per execution: no synchronization) wait 625 s
// in all, give or take 23 s (one standard deviation): a Task gives up only if IAM let nothing of
// its own through for ~10 minutes, i.e. beyond a wave of ~2,000 keys at 10 writes/s (~1,300 at
// 1.5x). History: 3 events a retry, 3 branches x 251 tries ~ 2,300 events of the 25,000 allowed.
// Every Task's TimeoutSeconds is above its Lambda's timeout (test/lib/step-timeouts.test.ts).
import { awsErrorCode, describeError, isTransientAwsError } from './errors';

/** Connection failures the SDK reports without an AWS error code: worth another try too. */
const NETWORK_ERRORS = new Set(['TimeoutError', 'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

/** Throttling, a 5xx or a dropped connection: the same call may succeed later. */
export function isRetryableError(err: unknown): boolean {
  if (isTransientAwsError(err)) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  return NETWORK_ERRORS.has(awsErrorCode(err) ?? '') || (typeof code === 'string' && NETWORK_ERRORS.has(code));
}

export interface RetryOptions {
  /** Tries in all, the first included (at least 1). */
  readonly attempts: number;
  /** The wait after the first failure; it doubles after each one (1 s, 2 s, 4 s...). */
  readonly baseDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Which failures are tried again; @default {@link isRetryableError} */
  readonly isRetryable?: (err: unknown) => boolean;
  /** The wait before the next try instead of the doubling one (a server's Retry-After...). */
  readonly delayFor?: (error: unknown, backoffMs: number) => number;
  /** Whether a wait of `delayMs` and one more try still fit the caller's time budget; false: give up now. */
  readonly hasTimeFor?: (delayMs: number) => boolean;
  /** Told before each wait (to log it). */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** The last failure of a call that was still failing after every attempt; `cause` is that failure. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';

  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    const { name, message } = describeError(last);
    super(`${message && message !== name ? `${name}: ${message}` : name} (gave up after ${attempts} attempts)`, { cause: last });
  }
}

/**
 * Runs `call`, trying a retryable failure again after `baseDelayMs`, then twice that, and so on,
 * `attempts` tries in all (fewer when `hasTimeFor` says the next wait and try do not fit). Anything
 * not retryable is thrown at once, unchanged; the last retryable failure is thrown as a
 * {@link RetriesExhaustedError}.
 */
export async function retry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetryable = options.isRetryable ?? isRetryableError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const backoffMs = options.baseDelayMs * 2 ** (attempt - 1);
      const delayMs = options.delayFor?.(err, backoffMs) ?? backoffMs;
      if (attempt >= options.attempts || options.hasTimeFor?.(delayMs) === false) throw new RetriesExhaustedError(err, attempt);
      options.onRetry?.({ attempt, delayMs, error: err });
      await options.sleep(delayMs);
    }
  }
}
