import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { HandlerOptions, perRegion } from '../shared/clients';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput } from '../shared/steps';
import { HOME_REGION } from './cloudtrail-search';
import { InvestigateInputSchema, Investigation, MAX_LOOKBACK_DAYS } from './contract';
import { InvestigateConfig, InvestigateDeps } from './deps';
import { investigate } from './investigate';

export { InvestigateInputSchema };

export type { HandlerOptions };

/** LOOKBACK_DAYS: a whole number of days, 1 to 90 (what CloudTrail LookupEvents keeps). */
export function lookbackDaysEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv('LOOKBACK_DAYS', env);
  const days = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= MAX_LOOKBACK_DAYS)) {
    throw new Error(`environment variable LOOKBACK_DAYS must be a whole number of days from 1 to ${MAX_LOOKBACK_DAYS}, got "${value}"`);
  }
  return days;
}

/** Time kept, at the end of the Lambda's time limit, to save the activity and work out the reach. */
export const RESERVED_FOR_SUMMARY_MS = 45_000;

/**
 * The investigation's clients. Who retries what, so that the loops never multiply:
 * - the SDK: nothing (`maxAttempts: 1` on every client here: one HTTP request a send);
 * - the core (`withBackoff`, lambdas/shared/retry.ts): every IAM, EC2, S3 and CloudTrail call, on
 *   throttling, 5xx and dropped connections, 5 tries in all with 1, 2, 4 and 8 s between; a
 *   LookupEvents try also waits its turn in the region's 2-requests-a-second limit;
 * - the workflow: the Investigate Task's own Retry (on the Lambda failing as a whole, never on
 *   these calls: the core does not throw for AWS).
 * So a call that keeps being throttled is sent 5 times in all, not 3 x 5.
 */
export function investigateClients(credentials?: AwsCredentialIdentityProvider): Pick<InvestigateDeps, 'cloudtrail' | 'ec2' | 'iam' | 's3'> {
  const maxAttempts = 1;
  return {
    cloudtrail: perRegion((region) => new CloudTrailClient(withCredentials({ region, maxAttempts }, credentials))),
    ec2: new EC2Client(withCredentials({ region: HOME_REGION, maxAttempts }, credentials)),
    iam: new IAMClient(withCredentials({ maxAttempts }, credentials)),
    // The records go to the responder's own bucket: always the Lambda's own credentials.
    s3: new S3Client({ maxAttempts }),
  };
}

/** Reads the configuration and builds the clients once; the drill builds one per run. */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  options: HandlerOptions = {},
): (event: unknown, context?: { getRemainingTimeInMillis?: () => number }) => Promise<Investigation> {
  const config: InvestigateConfig = {
    bucket: requireEnv('INCIDENT_BUCKET', env),
    lookbackDays: lookbackDaysEnv(env),
    dryRun: boolEnv('DRY_RUN', env),
    // Concurrent incidents of the account share one CloudTrail search (a wave).
    sharedSearch: true,
  };
  const logger = createLogger('investigate');
  // The incident's account is read (CloudTrail, EC2, IAM); the records go to the responder's own bucket.
  const clientsOf = accountClients(investigateClients, organizationAccessFromEnv(env));
  return async (event, context?: { getRemainingTimeInMillis?: () => number }) => {
    // The investigation searches up to now; revokeBefore dates the revocation the second look checks against.
    const input = parseStepInput(InvestigateInputSchema, event, 'investigate');
    const { clients } = await clientsOf(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    const remaining = context?.getRemainingTimeInMillis?.();
    return investigate(input.incident, {
      // Paging stops this long before the Lambda's time limit: enough to save and summarise.
      deadline: remaining === undefined ? undefined : Date.now() + remaining - RESERVED_FOR_SUMMARY_MS,
      ...clients,
      config,
      logger: forIncident(logger, input.incident.incidentId),
      sleep: options.sleep,
    }, { revokeBefore: input.revokeBefore, ...(input.secondLook && { secondLook: input.secondLook }) });
  };
}
