// The account-wide API rate limits of the simulated account, shared by every caller (every Lambda
// invocation of every execution), counted in simulated time.
import { z } from 'zod';
import { awsError } from './aws-errors';
import { LOOKUP_EVENTS_PER_SECOND } from './simulated-cloudtrail';

/** IAM's mutating calls (UpdateAccessKey, PutUserPolicy, AttachUserPolicy...) per second, per account: the drill's default. */
export const IAM_MUTATING_PER_SECOND = 10;

/** The scenario's `limits` (docs/drill.md "Scenario"). */
export const LimitsSchema = z
  .strictObject({
    /** IAM calls that change something (not Get*, List*, Simulate*, Generate*), per second for the whole account. */
    iamMutatingPerSecond: z.number().positive().max(1000).default(IAM_MUTATING_PER_SECOND),
    /** CloudTrail LookupEvents requests per second, per region, for the whole account. */
    lookupEventsPerSecond: z.number().positive().max(1000).default(LOOKUP_EVENTS_PER_SECOND),
  })
  .default({ iamMutatingPerSecond: IAM_MUTATING_PER_SECOND, lookupEventsPerSecond: LOOKUP_EVENTS_PER_SECOND });

export type Limits = z.infer<typeof LimitsSchema>;

/**
 * A token bucket: `perSecond` tokens a second, holding at most one second's worth (at least one
 * token), full at the start. A call takes a token or is refused.
 */
export class TokenBucket {
  private tokens: number;
  private readonly capacity: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.capacity = Math.max(1, perSecond);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes a token at simulated time `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) * this.perSecond) / 1000);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Whether an IAM operation changes the account (and so counts against the mutating-call rate). */
export function isIamMutating(operation: string): boolean {
  return !/^(Get|List|Simulate|Generate)/.test(operation);
}

/**
 * The limits every caller of one simulated account shares: one bucket for IAM's mutating calls,
 * one per region for LookupEvents. A call beyond answers as AWS does: IAM `Throttling` ("Rate
 * exceeded", HTTP 400), CloudTrail `ThrottlingException`.
 */
export class SimulatedLimits {
  private readonly iam: TokenBucket;
  private readonly lookups = new Map<string, TokenBucket>();
  /** Calls refused, by `service:Operation`. */
  readonly throttled = new Map<string, number>();

  constructor(
    readonly limits: Limits,
    private readonly now: () => number,
  ) {
    this.iam = new TokenBucket(limits.iamMutatingPerSecond, now());
  }

  /** Lets the call through, or throws the throttling error AWS would answer. */
  admit(service: string, operation: string, region: string): void {
    const now = this.now();
    if (service === 'iam' && isIamMutating(operation) && !this.iam.take(now)) {
      this.refuse(service, operation);
      throw awsError('Throttling', 'Rate exceeded');
    }
    if (service === 'cloudtrail' && operation === 'LookupEvents') {
      let bucket = this.lookups.get(region);
      if (!bucket) this.lookups.set(region, (bucket = new TokenBucket(this.limits.lookupEventsPerSecond, now)));
      if (!bucket.take(now)) {
        this.refuse(service, operation);
        throw awsError('ThrottlingException', `Rate exceeded: ${this.limits.lookupEventsPerSecond} LookupEvents requests per second in ${region}`);
      }
    }
  }

  private refuse(service: string, operation: string): void {
    const key = `${service}:${operation}`;
    this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
  }
}
