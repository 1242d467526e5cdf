/**
 * Typed errors. Step Functions matches `ErrorEquals` against `name`, so every class sets it.
 *
 * - {@link InvalidIncidentError}: input that can never succeed (unknown event shape, a key that
 *   does not exist). Caught by the workflow, never retried.
 * - {@link TransientAwsError}: throttling or a passing AWS failure. Listed in every Task's `Retry`.
 * - {@link ThrottledError}: contain's IAM call refused for the account's rate; its own long Retry.
 * - {@link EscalationRequiredError}: a change that cannot be made safely by the responder; a human
 *   must act (its message carries the commands). Never retried.
 */
export class InvalidIncidentError extends Error {
  public override readonly name = 'InvalidIncidentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class TransientAwsError extends Error {
  public override readonly name = 'TransientAwsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The account's request rate refused a call (IAM `Throttling`): in a wave, every execution shares
 * IAM's write rate. The contain Tasks retry it on a Retry entry of its own, for as long as a wave
 * takes to drain (lambdas/shared/retry.ts), not the 6 times of other transient failures.
 */
export class ThrottledError extends Error {
  public override readonly name = 'ThrottledError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Containment was attempted but the account does not show it in place. */
export class ContainmentNotVerifiedError extends Error {
  public override readonly name = 'ContainmentNotVerifiedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A containment change that the responder cannot make safely (a user's inline policy quota is
 * full...). Its message says why and carries the exact AWS CLI commands a human must run. Not
 * retried: waiting changes nothing.
 */
export class EscalationRequiredError extends Error {
  public override readonly name = 'EscalationRequiredError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A quota of the account is full (IAM's `LimitExceeded`, which the SDK names
 * `LimitExceededException`). Not throttling, whatever the SDK's own retry classification says:
 * retrying cannot succeed until something is removed.
 */
export function isQuotaExceeded(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'LimitExceeded' || code === 'LimitExceededException';
}

/** AWS error codes that mean "try again later" (never `LimitExceeded`: see {@link isQuotaExceeded}). */
const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'ServiceFailureException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerErrorException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ConcurrentModification',
  'ConcurrentModificationException',
  'ConcurrentModificationOrder',
  // A session's token refused as expired (IAM, STS: ExpiredToken; JSON APIs: ExpiredTokenException):
  // the next attempt signs with renewed credentials (the Lambda's own, or the member role assumed
  // again: lambdas/shared/accounts.ts renews a session before its end), so it is retried, not final.
  'ExpiredToken',
  'ExpiredTokenException',
  // EC2's code for it (and for a request signed too long ago: the SDK corrects its clock skew).
  'RequestExpired',
]);

/** The codes of {@link TRANSIENT_CODES} that mean the caller is over a request rate. */
const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);

/** Over a request rate (not a quota: see {@link isQuotaExceeded}). */
export function isThrottling(err: unknown): boolean {
  return THROTTLING_CODES.has(awsErrorCode(err) ?? '');
}

/** The AWS error code of an SDK error (`name`), or undefined for anything else. */
export function awsErrorCode(err: unknown): string | undefined {
  if (err instanceof Error && typeof err.name === 'string') return err.name;
  return undefined;
}

export function isTransientAwsError(err: unknown): boolean {
  if (isQuotaExceeded(err)) return false;
  const code = awsErrorCode(err);
  if (code && TRANSIENT_CODES.has(code)) return true;
  const meta = (err as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined);
  if (meta?.$retryable) return true;
  const status = meta?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/**
 * Wraps an AWS failure so the workflow can tell retryable from final: transient failures become
 * {@link TransientAwsError} (original kept as `cause`), anything else is rethrown unchanged.
 */
export function rethrowAws(err: unknown, what: string): never {
  if (isTransientAwsError(err)) {
    throw new TransientAwsError(`${what}: ${awsErrorCode(err)}: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}

/** A short, loggable description of an error: name and message, never a stack at INFO. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
