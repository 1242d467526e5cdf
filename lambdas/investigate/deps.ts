// What the investigation is given (clients, config, waits) and how it retries an AWS call.
import { setTimeout as wait } from 'node:timers/promises';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, describeError } from '../shared/errors';
import { Log } from '../shared/logger';
import { RetriesExhaustedError, retry } from '../shared/retry';
import { Investigation } from './contract';
import { clip } from './text';

export interface InvestigateConfig {
  /** The incident bucket: the full activity goes to `incidents/<incidentId>/activity.jsonl`. */
  readonly bucket: string;
  /** How far back CloudTrail is searched, 1 to 90 days. */
  readonly lookbackDays: number;
  /** Said in the output; the investigation only reads, so it behaves the same. */
  readonly dryRun: boolean;
  /**
   * Search CloudTrail through the searches concurrent incidents share (lambdas/investigate/shared-search.ts,
   * `shared-searches/` in the bucket: read, conditional writes). @default false: key by key only
   */
  readonly sharedSearch?: boolean;
}

/**
 * The clients, built with `maxAttempts: 1`: every call here is retried by {@link withBackoff}
 * alone, so the SDK's own retries would multiply the attempts (and, for CloudTrail, break the
 * pacing). See the handler.
 */
export interface InvestigateDeps {
  /** One CloudTrail client per region (LookupEvents is regional). */
  readonly cloudtrail: (region: string) => CloudTrailClient;
  /** In us-east-1: DescribeRegions. */
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly logger: Log;
  readonly config: InvestigateConfig;
  readonly now?: () => Date;
  /** Waits between CloudTrail calls and before retries; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * When to stop paging CloudTrail (epoch ms): the handler sets it before the Lambda's time limit,
   * so a very busy key gives a partial answer (saved, summarised, its gap reported) rather than a
   * timeout that loses everything.
   */
  readonly deadline?: number;
}

/** The deps, with the real wait filled in when none was given. */
export interface Context {
  readonly deps: InvestigateDeps;
  readonly sleep: (ms: number) => Promise<void>;
}

export type Failure = Investigation['failures'][number];

/** A throttled or failing call is tried this many times in all, waiting 1 s, 2 s, 4 s, 8 s between. */
export const MAX_ATTEMPTS = 5;
export const BACKOFF_BASE_MS = 1000;

export function contextOf(deps: InvestigateDeps): Context {
  return { deps, sleep: deps.sleep ?? wait };
}

/**
 * Runs `call`, trying a throttled or transiently failing one again after 1 s, 2 s, 4 s, 8 s
 * ({@link MAX_ATTEMPTS} tries in all, the only retries: the clients' own are off). Anything else,
 * or the last failure, is thrown.
 */
export function withBackoff<T>(ctx: Context, what: string, call: () => Promise<T>): Promise<T> {
  return retry(call, {
    attempts: MAX_ATTEMPTS,
    baseDelayMs: BACKOFF_BASE_MS,
    sleep: ctx.sleep,
    onRetry: ({ attempt, delayMs, error }) =>
      ctx.deps.logger.warn('throttled or failing: backing off', { what, attempt, delayMs, error: awsErrorCode(error) }),
  });
}

/** An error as one short line for `failures`. */
export function errorText(err: unknown): string {
  if (err instanceof RetriesExhaustedError) return clip(`${errorText(err.last)} (gave up after ${err.attempts} attempts)`, 400);
  const { name, message } = describeError(err);
  return clip(message && message !== name ? `${name}: ${message}` : name, 300);
}
