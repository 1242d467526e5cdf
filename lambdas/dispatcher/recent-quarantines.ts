// Which users AWS quarantined just now: CloudTrail's record of the attach (IAM events: us-east-1).
import { CloudTrailClient, LookupEventsCommand, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { rethrowAws } from '../shared/errors';
import { isAwsQuarantinePolicyArn, LEGACY_QUARANTINE_INLINE_POLICY } from '../shared/events';
import { USER_NAME_PATTERN } from '../shared/incident';
import { tryParseJson } from '../shared/json';

/** LookupEvents allows 2 requests a second per account and region: one call every 600 ms stays under it. */
export const LOOKUP_SPACING_MS = 600;
/**
 * Pages read per event name at most (50 events a page, newest first): 20 spaced calls, about 12 s,
 * a bound on the dispatcher's run time. Past it, the oldest attaches of the window are not read
 * and the message says so.
 */
export const MAX_PAGES = 10;
/** CloudTrail may date the attach a little after the Health event: look this far past it too. */
export const AFTER_EVENT_MS = 15 * 60_000;

export interface RecentQuarantineDeps {
  /** A client of us-east-1, where IAM's CloudTrail events are. */
  readonly cloudtrail: CloudTrailClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly accountId: string;
}

export interface RecentQuarantines {
  readonly users: string[];
  /** True when a lookup stopped at {@link MAX_PAGES}: older attaches may be missing. */
  readonly truncated: boolean;
}

/** Whether one CloudTrail record is AWS's quarantine of a user of this account; its user name if so. */
export function quarantinedUserOf(record: unknown, accountId: string): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  const p = (r.requestParameters ?? {}) as Record<string, unknown>;
  if (r.errorCode || r.eventSource !== 'iam.amazonaws.com') return undefined;
  if (r.recipientAccountId !== undefined && r.recipientAccountId !== accountId) return undefined;
  const quarantine =
    r.eventName === 'AttachUserPolicy'
      ? typeof p.policyArn === 'string' && isAwsQuarantinePolicyArn(p.policyArn)
      : r.eventName === 'PutUserPolicy' && p.policyName === LEGACY_QUARANTINE_INLINE_POLICY;
  return quarantine && typeof p.userName === 'string' && USER_NAME_PATTERN.test(p.userName) ? p.userName : undefined;
}

/**
 * Users whose AWS quarantine policy was attached (AttachUserPolicy of the managed policy, or the
 * legacy PutUserPolicy) from `windowHours` before `eventTime` to a few minutes after it. Paged,
 * one call every {@link LOOKUP_SPACING_MS}; throttling is retried by the SDK client, then thrown
 * as TransientAwsError.
 */
export async function recentlyQuarantinedUsers(eventTime: Date, windowHours: number, deps: RecentQuarantineDeps): Promise<RecentQuarantines> {
  const users = new Set<string>();
  let truncated = false;
  let calls = 0;
  const StartTime = new Date(eventTime.getTime() - windowHours * 3_600_000);
  const EndTime = new Date(eventTime.getTime() + AFTER_EVENT_MS);
  for (const eventName of ['AttachUserPolicy', 'PutUserPolicy']) {
    let token: string | undefined;
    let pages = 0;
    do {
      if (calls++ > 0) await deps.sleep(LOOKUP_SPACING_MS);
      let out: LookupEventsCommandOutput;
      try {
        out = await deps.cloudtrail.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
            StartTime,
            EndTime,
            MaxResults: 50,
            NextToken: token,
          }),
        );
      } catch (err) {
        return rethrowAws(err, `CloudTrail LookupEvents ${eventName}`);
      }
      for (const e of out.Events ?? []) {
        const user = quarantinedUserOf(tryParseJson(e.CloudTrailEvent), deps.accountId);
        if (user) users.add(user);
      }
      token = out.NextToken;
      pages += 1;
    } while (token && pages < MAX_PAGES);
    if (token) truncated = true;
  }
  return { users: [...users], truncated };
}
