import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { HandlerOptions } from '../shared/clients';
import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { parseProtectedPrincipals, protectionCheck } from '../shared/protection';
import { dispatch, DispatchConfig, DispatchResult } from './dispatch';
import { stsKeyAccountLookup } from './owners';

/**
 * Retries of every client, on purpose: a throttled or passing AWS failure is retried here, inside
 * the invocation, with adaptive back-off (a client-side rate limiter that slows down when AWS
 * throttles: LookupEvents allows 2 calls a second, IAM throttles bursts), before the invocation
 * fails and the event goes to EventBridge's retries and then the dead-letter queue. Eight attempts
 * cover tens of seconds of throttling, well inside the dispatcher's timeout.
 */
export const CLIENT_RETRIES = { retryMode: 'adaptive', maxAttempts: 8 } as const;

/** What the drill may replace: the waits (its clients are the SDK's, connected to the simulated account). */
export type DispatcherOptions = HandlerOptions;

/** QUARANTINE_WINDOW_HOURS: a whole number of hours, 1 to 720 (30 days). */
function windowHours(env: NodeJS.ProcessEnv): number {
  const raw = requireEnv('QUARANTINE_WINDOW_HOURS', env);
  const hours = Number(raw);
  if (!/^\d+$/.test(raw) || hours < 1 || hours > 720) throw new Error(`environment variable QUARANTINE_WINDOW_HOURS must be a whole number of hours from 1 to 720, got "${raw}"`);
  return hours;
}

/** Reads the configuration and builds the clients once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env, options: DispatcherOptions = {}): (event: unknown) => Promise<DispatchResult> {
  const accountId = requireEnv('ACCOUNT_ID', env);
  if (!/^\d{12}$/.test(accountId)) throw new Error(`environment variable ACCOUNT_ID must be a 12-digit account id, got "${accountId}"`);
  const protectedUsers = parseProtectedPrincipals(listEnv('PROTECTED_USERS', env));
  const config: DispatchConfig = {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    protection: protectedUsers,
    accountId,
    topicArn: requireEnv('TOPIC_ARN', env),
    quarantineWindowHours: windowHours(env),
    roleSessions: {
      dryRun: boolEnv('DRY_RUN', env),
      protection: protectionCheck(protectedUsers, parseProtectedPrincipals(listEnv('PROTECTED_ROLES', env), 'role')),
    },
  };
  const logger = createLogger('dispatcher');
  const iam = new IAMClient({ ...CLIENT_RETRIES });
  const sfn = new SFNClient({ ...CLIENT_RETRIES });
  const sns = new SNSClient({ ...CLIENT_RETRIES });
  // IAM's CloudTrail events are recorded in us-east-1 only.
  const cloudtrail = new CloudTrailClient({ ...CLIENT_RETRIES, region: 'us-east-1' });
  // The Lambda's own region: STS's regional endpoint, in whichever partition the SDK resolves.
  const keyAccount = stsKeyAccountLookup(new STSClient({ ...CLIENT_RETRIES }));
  return async (event) => {
    try {
      return await dispatch(event, { iam, sfn, sns, cloudtrail, keyAccount, logger, config, ...(options.sleep ? { sleep: options.sleep } : {}) });
    } catch (err) {
      logger.error('event not dispatched: the invocation fails (EventBridge retries, then the dead-letter queue)', { error: err as Error });
      throw err;
    }
  };
}
