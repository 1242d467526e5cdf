import { NoSuchEntityException } from '@aws-sdk/client-iam';

/** An AWS error as the SDK throws it: `name` is the error code, `$metadata` its HTTP status. */
export function awsError(code: string, message: string): Error {
  const meta = { httpStatusCode: /Throttl|TooMany|LimitExceeded$|SlowDown/.test(code) ? 400 : /Unavailable|Internal|ServiceFailure/.test(code) ? 500 : 400 };
  const err = new Error(message) as Error & { $fault: string; $metadata: object };
  err.name = code;
  err.$fault = meta.httpStatusCode >= 500 ? 'server' : 'client';
  err.$metadata = meta;
  return err;
}

export function noSuchEntity(message: string): Error {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}
