import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { HandlerOptions, perRegion } from '../shared/clients';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput } from '../shared/steps';
import { InvestigateInputSchema, Investigation, MAX_LOOKBACK_DAYS } from './contract';
import { HOME_REGION, investigate, InvestigateConfig } from './investigate';

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

/** Reads the configuration and builds the clients once; the drill builds one per run. */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  options: HandlerOptions = {},
): (event: unknown, context?: { getRemainingTimeInMillis?: () => number }) => Promise<Investigation> {
  const config: InvestigateConfig = {
    bucket: requireEnv('INCIDENT_BUCKET', env),
    lookbackDays: lookbackDaysEnv(env),
    dryRun: boolEnv('DRY_RUN', env),
  };
  const logger = createLogger('investigate');
  // LookupEvents allows 2 requests a second: the core spaces its calls and backs off itself, so the
  // SDK's own quick retries (which would break the spacing) are off for CloudTrail.
  const cloudtrail = perRegion((region) => new CloudTrailClient({ region, maxAttempts: 1 }));
  const ec2 = new EC2Client({ region: HOME_REGION });
  const iam = new IAMClient({});
  const s3 = new S3Client({});
  return async (event, context?: { getRemainingTimeInMillis?: () => number }) => {
    // revokeBefore is part of every step's input; the investigation searches up to now.
    const input = parseStepInput(InvestigateInputSchema, event, 'investigate');
    const remaining = context?.getRemainingTimeInMillis?.();
    return investigate(input.incident, {
      // Paging stops this long before the Lambda's time limit: enough to save and summarise.
      deadline: remaining === undefined ? undefined : Date.now() + remaining - RESERVED_FOR_SUMMARY_MS,
      cloudtrail,
      ec2,
      iam,
      s3,
      config,
      logger: forIncident(logger, input.incident.incidentId),
      sleep: options.sleep,
    });
  };
}
