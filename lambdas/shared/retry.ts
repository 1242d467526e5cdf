// One retry loop for AWS calls. Where it is used, the SDK client is built with `maxAttempts: 1`
// (see the handler), so a call is sent at most `attempts` times in all, never SDK attempts x ours.
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
