import { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { NO_SDK_RETRIES } from '../shared/clients';
import { isQuotaExceeded } from '../shared/errors';

/** The SDK's token-based retry strategy (the shape the client's `retryStrategy` takes). */
type RetryStrategyV2 = Extract<NonNullable<IAMClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

/**
 * The SDK's own retry strategy, except that a full quota (`LimitExceededException`, which the SDK
 * classifies as throttling) is final at once: retrying cannot free a user's inline-policy or
 * managed-policy quota, and it would only delay the escalation by the SDK's back-off.
 */
export function quotaIsFinal(standard: () => Promise<unknown>): RetryStrategyV2 {
  let resolved: RetryStrategyV2 | undefined;
  const strategy = async (): Promise<RetryStrategyV2> => (resolved ??= (await standard()) as RetryStrategyV2);
  return {
    acquireInitialRetryToken: async (scope: string) => (await strategy()).acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token: RetryToken, info: RetryErrorInfo) => {
      if (isQuotaExceeded(info.error)) throw info.error;
      return (await strategy()).refreshRetryTokenForRetry(token, info);
    },
    recordSuccess: (token: RetryToken) => resolved?.recordSuccess(token),
  };
}

/**
 * The IAM client of the contain Lambda: one send a call by default (the workflow's Retry is the
 * one loop, lambdas/shared/retry.ts); if SDK retries are ever given, a full quota is still never retried.
 */
export function containmentIamClient(config: IAMClientConfig = NO_SDK_RETRIES): IAMClient {
  // (config may carry a member account's credentials: lambdas/shared/accounts.ts)
  const standard = new IAMClient(config).config.retryStrategy;
  return new IAMClient({ ...config, retryStrategy: quotaIsFinal(standard) });
}
