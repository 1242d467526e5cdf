import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { PricingClient } from '@aws-sdk/client-pricing';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { DefaultRateLimiter, isServerError, Retry, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedAccount } from './simulated-account';

/** The SDK clients the responder uses, and the service prefix of their operations. */
// Typed loosely on purpose: each client class has its own command types.
const CLIENTS: Array<{ service: string; client: Parameters<typeof mockClient>[0] }> = [
  { service: 'iam', client: IAMClient as never },
  { service: 'sfn', client: SFNClient as never },
  { service: 'sns', client: SNSClient as never },
  { service: 'sts', client: STSClient as never },
  { service: 'cloudtrail', client: CloudTrailClient as never },
  { service: 'ec2', client: EC2Client as never },
  { service: 'pricing', client: PricingClient as never },
  { service: 's3', client: S3Client as never },
  { service: 'support', client: SupportClient as never },
  { service: 'secretsmanager', client: SecretsManagerClient as never },
];

/** The SDK's token-based retry strategy, as a client's resolved config gives it. */
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { errorType: string; error: unknown }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}
interface RetryToken {
  getRetryDelay(): number;
}

interface Regional {
  config: { region: () => Promise<string> | string; retryStrategy: () => Promise<RetryStrategy> };
}

/** How the SDK's retry middleware classifies an error for its strategy. */
function errorType(err: unknown): string {
  const e = err as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(e) ? 'THROTTLING' : isTransientError(e) ? 'TRANSIENT' : isServerError(e) ? 'SERVER_ERROR' : 'CLIENT_ERROR';
}

/**
 * Sends one command as the SDK would: through the client's own retry strategy (its maxAttempts,
 * its back-off at drill speed, the contain client's quota rule), since aws-sdk-client-mock replaces
 * `send` and with it the SDK's retry middleware.
 */
async function withClientRetries<T>(client: Regional, scope: string, call: () => T, scale: number): Promise<T> {
  const strategy = await client.config.retryStrategy();
  let token = await strategy.acquireInitialRetryToken(scope);
  for (;;) {
    try {
      const out = call();
      strategy.recordSuccess(token);
      return out;
    } catch (err) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType: errorType(err), error: err });
      } catch {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, token.getRetryDelay() / scale));
    }
  }
}

/**
 * The access key id of the credentials a client was given (organization mode: a member role
 * session, lambdas/shared/accounts.ts); undefined for a client left to the default chain (the
 * Lambda's own role), whose chain is never run here.
 */
async function callerKeyOf(client: unknown): Promise<string | undefined> {
  const given = (client as { initConfig?: { credentials?: unknown } }).initConfig?.credentials;
  const identity = typeof given === 'function' ? await (given as () => Promise<unknown>)() : given;
  return (identity as { accessKeyId?: string } | undefined)?.accessKeyId;
}

/**
 * Routes every command of every responder client (module-level ones included) to the simulated
 * account, by operation name and the client's region, retried as the client's SDK configuration
 * says (maxAttempts, retry mode). Returns the function that puts the real
 * clients back.
 */
export function connectToSimulatedAccount(account: SimulatedAccount): () => void {
  const mocks = CLIENTS.map(({ service, client }) => {
    const mock = mockClient(client);
    // sinon calls the fake with the client as `this`: its region is the region of the call.
    mock.send.callsFake(async function (this: Regional, command) {
      const operation = command.constructor.name.replace(/Command$/, '');
      const region = await this.config.region();
      const caller = await callerKeyOf(this);
      return withClientRetries(this, service, () => account.call(service, operation, (command.input ?? {}) as Record<string, unknown>, region, caller), account.timeScale) as never;
    });
    return mock;
  });
  // The SDK's back-off (its strategy waits itself: base 50 ms, 1 s when throttled) and the adaptive
  // mode's client-side rate limiter (setTimeoutFn, private in its types; its clock) run at drill speed too.
  const limiter = DefaultRateLimiter as unknown as { setTimeoutFn: (fn: () => void, delay: number) => unknown; prototype: { getCurrentTimeInSeconds: () => number } };
  const real = { wait: limiter.setTimeoutFn, clock: limiter.prototype.getCurrentTimeInSeconds, delay: Retry.delay, throttlingDelay: Retry.throttlingDelay };
  const scale = account.timeScale;
  limiter.setTimeoutFn = (fn, delay) => real.wait(fn, delay / scale);
  limiter.prototype.getCurrentTimeInSeconds = () => (Date.now() * scale) / 1000;
  Retry.delay = () => real.delay() / scale;
  Retry.throttlingDelay = () => real.throttlingDelay() / scale;
  return () => {
    Object.assign(Retry, { delay: real.delay, throttlingDelay: real.throttlingDelay });
    limiter.setTimeoutFn = real.wait;
    limiter.prototype.getCurrentTimeInSeconds = real.clock;
    mocks.forEach((m) => m.restore());
  };
}
