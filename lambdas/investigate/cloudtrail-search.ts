// What the key did: CloudTrail LookupEvents in every enabled region, by key id and by user name,
// paged to the end within LookupEvents' rate limit, the Lambda's deadline and a back-off.
import { Event as TrailEvent, LookupAttribute, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { apiName } from '../shared/event-name';
import { Incident } from '../shared/incident';
import { tryParseJson } from '../shared/json';
import { Context, errorText, Failure, withBackoff } from './deps';
import { lookupFailureWhat } from './contract';
import { SlidingWindowLimiter } from './rate-limit';
import { clip, isObject, Json, str } from './text';

/** IAM and STS events are in us-east-1's CloudTrail only: always searched. */
export const HOME_REGION = 'us-east-1';
/** LookupEvents allows 2 requests a second per account and region. */
export const LOOKUPS_PER_SECOND = 2;
/**
 * How those 2 requests a second are paced here: a call's slot is free again 1.1 s after it was
 * sent, the tenth a margin for the service's clock and this Lambda's timers not agreeing...
 */
export const LOOKUP_WINDOW_MS = 1100;
/**
 * ...and 1.05 s after its answer came, since the service may count the call at any moment until
 * it answers (a slow or delayed request). A throttled call would cost a 1 s back-off, far more
 * than either margin.
 */
export const LOOKUP_AFTER_ANSWER_MS = 1050;
/** LookupEvents returns 50 events a page at most. */
export const LOOKUP_PAGE_SIZE = 50;

/** One CloudTrail event, found in `region`, its record parsed from `CloudTrailEvent`. */
export interface Activity {
  readonly eventId: string;
  readonly region: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly record: Json;
  /** Its line of the activity object: the record with `region` added, as JSON on one line. */
  readonly line: string;
  /** What LookupEvents says of it (its AccessKeyId, Username attributes): a shared search filters on these. */
  readonly accessKeyId?: string;
  readonly username?: string;
}

export interface RegionSearch {
  readonly events: Activity[];
  readonly pages: number;
  readonly failures: Failure[];
}

/**
 * The regions every account has enabled and cannot disable (the commercial regions that opened
 * before March 2019; later ones are opt-in). Searched when the account's own list cannot be read.
 */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
];

/** us-east-1 first and always, then the others sorted and once each. */
function homeFirst(names: readonly string[]): string[] {
  return [HOME_REGION, ...[...new Set(names.filter((r) => r !== HOME_REGION))].sort()];
}

/**
 * Every region enabled in the account (DescribeRegions without AllRegions), us-east-1 first and
 * always. When the list cannot be read, the regions enabled by default in every account are
 * searched, and the gap (opt-in regions) is a failure.
 */
export async function enabledRegions(ctx: Context): Promise<{ regions: string[]; failures: Failure[] }> {
  try {
    const out = await withBackoff(ctx, 'ec2:DescribeRegions', () => ctx.deps.ec2.send(new DescribeRegionsCommand({ AllRegions: false })));
    return { regions: homeFirst((out.Regions ?? []).map((r) => r.RegionName).filter((r): r is string => !!r)), failures: [] };
  } catch (err) {
    return {
      regions: homeFirst(DEFAULT_ENABLED_REGIONS),
      failures: [{ what: 'ec2:DescribeRegions', error: `${errorText(err)}: searched the ${DEFAULT_ENABLED_REGIONS.length} regions every account has enabled; opt-in regions the account enabled were not searched` }],
    };
  }
}

/** One LookupEvents lookup, and how a gap in it is named (`lookup by <label>`). */
export interface Lookup {
  /** None: every event of the window (a shared search, lambdas/investigate/shared-search.ts). */
  readonly attribute?: LookupAttribute;
  readonly label: string;
  /** Pages it may fetch before it stops with a gap. @default no limit but the deadline */
  readonly maxPages?: number;
}

/**
 * The first pass's lookups: by AccessKeyId, and by Username (not for root: "root" names no user).
 * Sessions derived from the key (GetSessionToken: ASIA...) do not carry its id, only the user's name.
 */
export function incidentLookups(incident: Incident): Lookup[] {
  const lookups: Lookup[] = [{ attribute: { AttributeKey: 'AccessKeyId', AttributeValue: incident.accessKeyId }, label: 'AccessKeyId' }];
  if (incident.principalType !== 'root') lookups.push({ attribute: { AttributeKey: 'Username', AttributeValue: incident.userName }, label: 'Username' });
  return lookups;
}

/**
 * A region's share of LookupEvents' limit ({@link LOOKUPS_PER_SECOND} slots, each free again
 * {@link LOOKUP_WINDOW_MS} after its call and {@link LOOKUP_AFTER_ANSWER_MS} after its answer):
 * one per region for the whole investigation, so a later pass (the sessions the key obtained)
 * waits for the slots the first pass used.
 */
export function regionLimiter(ctx: Context): SlidingWindowLimiter {
  return new SlidingWindowLimiter(LOOKUPS_PER_SECOND, LOOKUP_WINDOW_MS, LOOKUP_AFTER_ANSWER_MS, ctx.sleep);
}

/**
 * One region: the `lookups` (see {@link incidentLookups}) side by side, each paged to the end.
 * Every call, retries included, waits for a slot of the region's `limiter`: the lookups share the
 * region's budget, and a page goes as soon as the limit allows, not a fixed time after the
 * previous answer. Regions are searched side by side too. A lookup that still fails after its
 * backoff stops there: what was found is kept and the gap is a failure of the region.
 */
export async function searchRegion(
  lookups: readonly Lookup[],
  region: string,
  from: Date,
  to: Date,
  ctx: Context,
  limiter: SlidingWindowLimiter = regionLimiter(ctx),
): Promise<RegionSearch> {
  const client = ctx.deps.cloudtrail(region);
  const events: Activity[] = [];
  // The lookups overlap (a call signed with the key names its user too): an event already found
  // is not parsed again.
  const seen = new Set<string>();
  let pages = 0;

  const lookup = async ({ attribute, label, maxPages }: Lookup): Promise<string | undefined> => {
    let nextToken: string | undefined;
    let lookupPages = 0;
    try {
      do {
        const deadline = ctx.deps.deadline;
        if (deadline !== undefined && Date.now() >= deadline) {
          throw new Error('stopped before the Lambda time limit: the key has more activity than one investigation can page');
        }
        if (maxPages !== undefined && lookupPages >= maxPages) throw new Error(`stopped after ${maxPages} pages: more activity than the search may page`);
        const input = { ...(attribute && { LookupAttributes: [attribute] }), StartTime: from, EndTime: to, MaxResults: LOOKUP_PAGE_SIZE, NextToken: nextToken };
        const out = await withBackoff(ctx, `cloudtrail:LookupEvents ${region}`, () => limiter.run(() => client.send(new LookupEventsCommand(input))));
        pages++;
        lookupPages++;
        for (const event of out.Events ?? []) {
          if (event.EventId !== undefined && seen.has(event.EventId)) continue;
          if (event.EventId !== undefined) seen.add(event.EventId);
          events.push(toActivity(event, region));
        }
        nextToken = out.NextToken || undefined;
      } while (nextToken);
      return undefined;
    } catch (err) {
      ctx.deps.logger.debug('lookup stopped', { region, lookup: attribute?.AttributeKey ?? 'none', pages: lookupPages });
      return `${clip(errorText(err), 300)} (lookup by ${label}, after ${lookupPages} page(s))`;
    }
  };

  const gaps = (await Promise.all(lookups.map(lookup))).filter((gap): gap is string => gap !== undefined);
  ctx.deps.logger.debug('region searched', { region, pages, events: events.length, gaps: gaps.length });
  if (gaps.length === 0) return { events, pages, failures: [] };
  const error = `${gaps.join('; ')}: ${region}'s activity is incomplete, ${events.length} event(s) of it kept`;
  return { events, pages, failures: [{ what: lookupFailureWhat(region), error: clip(error, 800) }] };
}

function toActivity(event: TrailEvent, region: string): Activity {
  let record: Json | undefined;
  let raw: string | undefined;
  // A missing or unreadable record is kept from the lookup's own fields below.
  const parsed = tryParseJson(event.CloudTrailEvent);
  if (isObject(parsed)) {
    record = parsed;
    raw = event.CloudTrailEvent;
  }
  record ??= {
    eventID: event.EventId,
    eventTime: event.EventTime?.toISOString(),
    eventSource: event.EventSource,
    eventName: event.EventName,
    userIdentity: { accessKeyId: event.AccessKeyId, userName: event.Username },
  };
  const rawTime = str(record.eventTime) ?? event.EventTime?.toISOString() ?? '';
  const time = Date.parse(rawTime);
  return {
    eventId: event.EventId ?? str(record.eventID) ?? JSON.stringify(record),
    region,
    eventTime: Number.isNaN(time) ? rawTime : new Date(time).toISOString(),
    eventSource: str(record.eventSource) ?? event.EventSource ?? 'unknown',
    // By its API name (Lambda's CreateFunction20150331 is CreateFunction): what the summary matches.
    eventName: apiName(str(record.eventName) ?? event.EventName ?? 'unknown'),
    record,
    line: activityLine(record, raw, region),
    ...(event.AccessKeyId !== undefined && { accessKeyId: event.AccessKeyId }),
    ...(event.Username !== undefined && { username: event.Username }),
  };
}

/**
 * `record` and its `region` as one line of JSON, made here, while the next page is awaited, rather
 * than all at once at the end. CloudTrail's own text (`raw`, which parsed to `record`) is extended
 * as it is when it can be: one line, no `region` of its own, at least one field before the closing
 * brace; otherwise the record is written out again.
 */
function activityLine(record: Json, raw: string | undefined, region: string): string {
  if (raw !== undefined && !Object.hasOwn(record, 'region') && Object.keys(record).length > 0 && !/[\r\n]/.test(raw)) {
    const close = raw.lastIndexOf('}');
    if (close > 0 && raw.slice(close + 1).trim() === '') return `${raw.slice(0, close)},"region":${JSON.stringify(region)}}`;
  }
  return JSON.stringify({ ...record, region });
}
