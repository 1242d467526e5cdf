import { awsErrorCode } from '../lambdas/shared/errors';

/** Unusable input (an unknown option, a malformed key id...): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The operation could not be done (no credentials, access denied, stack not found, unknown
 * incident, a restore refused...): exit 1. `code` names the case for `--json` readers.
 */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const NO_CREDENTIALS = /CredentialsProviderError|Could not load credentials|Unable to locate credentials|Token is expired|SSO session/i;

/**
 * What an error means for the operator, with what to do: the exit code, a stable code and one
 * message. AWS errors are read by their code (the SDK's `name`).
 */
export function explain(err: unknown, what: string): { exitCode: number; code: string; message: string } {
  if (err instanceof UsageError) return { exitCode: EXIT.usage, code: 'UsageError', message: err.message };
  if (err instanceof OperationError) return { exitCode: EXIT.failed, code: err.code, message: err.message };
  const code = awsErrorCode(err) ?? (err as Error)?.name ?? 'Error';
  const message = (err as Error)?.message ?? String(err);
  if (NO_CREDENTIALS.test(code) || NO_CREDENTIALS.test(message)) {
    return { exitCode: EXIT.failed, code: 'NoCredentials', message: `${what}: no usable AWS credentials (${message}). Sign in as you would for the AWS CLI (aws configure, aws sso login, AWS_PROFILE) or pass --profile.` };
  }
  if (/^(ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch)$/.test(code)) {
    return { exitCode: EXIT.failed, code: 'NoCredentials', message: `${what}: AWS refused the credentials (${code}: ${message}). Sign in again or pass another --profile.` };
  }
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthorizationError|Forbidden)$/.test(code)) {
    return { exitCode: EXIT.failed, code: 'AccessDenied', message: `${what}: access denied (${message}). Your identity needs the permission named; the README's "Operate" section lists each command's.` };
  }
  if (/\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b/.test(`${(err as { code?: unknown })?.code ?? ''} ${message}`)) {
    return { exitCode: EXIT.failed, code: 'NetworkError', message: `${what}: could not reach AWS (${message}): check the network (a proxy: HTTPS_PROXY) and --region.` };
  }
  if (/Region is missing/i.test(message)) {
    return { exitCode: EXIT.usage, code: 'UsageError', message: `${what}: no AWS region: pass --region us-east-1 (where the responder is deployed).` };
  }
  return { exitCode: EXIT.failed, code, message: `${what}: ${code}: ${message}` };
}
