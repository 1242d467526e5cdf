import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { AccountAccessError, accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { HandlerOptions } from '../shared/clients';
import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { protectionByAccount } from '../shared/account-protection';
import { ACCOUNT_ID_PATTERN } from '../shared/incident';
import { createLogger } from '../shared/logger';
import { parseProtectedPrincipals, protectionCheck } from '../shared/protection';
import { dispatch, DispatchConfig, DispatchResult } from './dispatch';
import { stsKeyAccountLookup } from './owners';
import { reportedKeyAccount } from './report-account';

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
  if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new Error(`environment variable ACCOUNT_ID must be a 12-digit account id, got "${accountId}"`);
  // The protection rules join per event: those of the event's account.
  const config: Omit<DispatchConfig, 'protection' | 'roleSessions'> = {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    accountId,
    topicArn: requireEnv('TOPIC_ARN', env),
    quarantineWindowHours: windowHours(env),
  };
  // GuardDuty's temporary-credential findings: the role's sessions are revoked unless it is protected.
  const dryRun = boolEnv('DRY_RUN', env);
  const protectedRoles = parseProtectedPrincipals(listEnv('PROTECTED_ROLES', env), 'role');
  // Entries `<account>:<entry>` protect in that account only (lambdas/shared/account-protection.ts).
  const protectionIn = protectionByAccount(listEnv('PROTECTED_USERS', env));
  const logger = createLogger('dispatcher');
  const organization = organizationAccessFromEnv(env);
  // The account the event is about (IAM, CloudTrail): the Lambda's own, or a member account's
  // through its member role (organization mode).
  const readersOf = accountClients((credentials) => ({
    iam: new IAMClient(withCredentials({ ...CLIENT_RETRIES }, credentials)),
    // IAM's CloudTrail events are recorded in us-east-1 only.
    cloudtrail: new CloudTrailClient(withCredentials({ ...CLIENT_RETRIES, region: 'us-east-1' }, credentials)),
  }), organization);
  const sfn = new SFNClient({ ...CLIENT_RETRIES });
  const sns = new SNSClient({ ...CLIENT_RETRIES });
  // The Lambda's own region: STS's regional endpoint, in whichever partition the SDK resolves.
  const keyAccount = stsKeyAccountLookup(new STSClient({ ...CLIENT_RETRIES }));
  return async (event) => {
    try {
      const { clients, config: account } = await accountOf(event);
      const protection = protectionIn(account.accountId);
      const scoped: DispatchConfig = { ...account, protection, roleSessions: { dryRun, protection: protectionCheck(protection, protectedRoles) } };
      return await dispatch(event, { ...clients, sfn, sns, keyAccount, logger, config: scoped, ...(options.sleep ? { sleep: options.sleep } : {}) });
    } catch (err) {
      logger.error('event not dispatched: the invocation fails (EventBridge retries, then the dead-letter queue)', { error: err as Error });
      throw err;
    }
  };

  /**
   * Organization mode, an event of another account, or a report by hand (of the responder's own
   * account) of a key STS says is of another account: that account's readers and id when its
   * member role can be assumed; otherwise the responder's own, with why, so the event is refused
   * (and people told). Per-account mode, or the responder's own account: as before.
   */
  async function accountOf(event: unknown) {
    const account = (event as { account?: unknown } | null)?.account;
    if (organization && typeof account === 'string' && ACCOUNT_ID_PATTERN.test(account) && account !== accountId) return memberOf(event, account, {});
    const keyAccountId = organization ? await reportedKeyAccount(event, { keyAccount, ownAccountId: accountId, logger }) : undefined;
    if (keyAccountId) return memberOf(event, keyAccountId, { keyAccountId });
    return { clients: (await readersOf(accountId, '')).clients, config };
  }

  async function memberOf(event: unknown, account: string, extra: Pick<DispatchConfig, 'keyAccountId'>) {
    try {
      const member = await readersOf(account, sessionNameFor(`dispatch-${String((event as { id?: unknown }).id ?? 'event')}`));
      logger.info('acting in a member account', { account, role: member.assumedRoleArn });
      return { clients: member.clients, config: { ...config, ...extra, accountId: account } };
    } catch (err) {
      if (!(err instanceof AccountAccessError)) throw err;
      logger.warn('member role not assumed: the event is refused', { account, error: err.message });
      return { clients: (await readersOf(accountId, '')).clients, config: { ...config, ...extra, refusal: err.message } };
    }
  }
}
