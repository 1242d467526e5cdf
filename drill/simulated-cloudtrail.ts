// CloudTrail LookupEvents over a set of records, as the API answers it: the one implementation of
// its shape, served by the drill's simulated account and by the unit tests' CloudTrail fake.
// `lookupEvents` is the whole handler; its rate limit is the account's (drill/simulated-limits.ts).
import { awsError } from './aws-errors';
import { CloudTrailRecord, TrailEntry } from './scenario-cloudtrail';

/** CloudTrail LookupEvents: 2 requests per second per account per region (the scenario's default; drill/simulated-limits.ts enforces it). */
export const LOOKUP_EVENTS_PER_SECOND = 2;
/** LookupEvents returns at most 50 events a page (and 50 by default). */
export const LOOKUP_EVENTS_MAX_RESULTS = 50;

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The key that signed the call: the identity's (an AKIA key, or a session's ASIA key). */
function accessKeyIdOf(r: CloudTrailRecord): string | undefined {
  return str(r.userIdentity.accessKeyId);
}

/**
 * LookupEvents' `Username`: the IAM user's name; for an assumed role, the role session name (the
 * last part of `assumed-role/<role>/<session>`, as in the API reference's example); a federated
 * user's name; `root` for the root user; otherwise the identity's userName, if any.
 */
export function lookupUsername(r: CloudTrailRecord): string | undefined {
  const id = r.userIdentity;
  const arn = str(id.arn) ?? '';
  switch (id.type) {
    case 'AssumedRole':
      return /:assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1] ?? str(id.principalId)?.split(':')[1];
    case 'FederatedUser':
      return /:federated-user\/(.+)$/.exec(arn)?.[1] ?? str(id.principalId)?.split(':')[1];
    case 'Root':
      return 'root';
    default:
      return str(id.userName);
  }
}

/** The record's `resources`, as LookupEvents lists them. */
function resourcesOf(r: CloudTrailRecord): Array<{ ResourceType?: string; ResourceName?: string }> {
  const list = Array.isArray(r.resources) ? (r.resources as Json[]) : [];
  return list.map((x) => ({ ...(str(x.type) ? { ResourceType: str(x.type) } : {}), ...(str(x.ARN) ? { ResourceName: str(x.ARN) } : {}) }));
}

/** How LookupEvents reads each lookup attribute off a record. */
const LOOKUP_ATTRIBUTES: Record<string, (r: CloudTrailRecord) => string[]> = {
  AccessKeyId: (r) => [accessKeyIdOf(r) ?? ''],
  Username: (r) => [lookupUsername(r) ?? ''],
  EventName: (r) => [r.eventName],
  EventId: (r) => [r.eventID],
  EventSource: (r) => [r.eventSource],
  ReadOnly: (r) => [String(r.readOnly)],
  ResourceType: (r) => resourcesOf(r).map((x) => x.ResourceType ?? ''),
  ResourceName: (r) => resourcesOf(r).map((x) => x.ResourceName ?? ''),
};

/** A management event: what LookupEvents returns (data events never; Insights events only when asked). */
function category(r: CloudTrailRecord): 'management' | 'data' | 'insight' {
  if (r.eventCategory === 'Insight' || r.eventType === 'AwsCloudTrailInsight') return 'insight';
  if (r.managementEvent === false || r.eventCategory === 'Data') return 'data';
  return 'management';
}

/** Whether LookupEvents can ever return the record (a data event: never). */
export function isServedByLookupEvents(r: CloudTrailRecord): boolean {
  return category(r) !== 'data';
}

/** One entry of LookupEvents' `Events`, as the API writes it for a record. */
export function asLookupEvent(r: CloudTrailRecord): Json {
  const key = accessKeyIdOf(r);
  const username = lookupUsername(r);
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ...(typeof r.readOnly === 'boolean' ? { ReadOnly: String(r.readOnly) } : {}),
    ...(key ? { AccessKeyId: key } : {}),
    EventTime: new Date(r.eventTime),
    EventSource: r.eventSource,
    ...(username ? { Username: username } : {}),
    Resources: resourcesOf(r),
    CloudTrailEvent: JSON.stringify(r),
  };
}

const time = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : new Date(v as Date | string | number).getTime());

/** A page's NextToken: where the next page starts, for the same lookup only (as the API's token). */
function nextToken(offset: number, query: string): string {
  return Buffer.from(JSON.stringify({ offset, query })).toString('base64url');
}

function tokenOffset(token: string, query: string): number {
  let parsed: { offset?: unknown; query?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.query !== query || !Number.isInteger(parsed.offset)) {
    throw awsError('InvalidNextTokenException', 'Invalid NextToken: a token is used with the same parameters as the call that returned it');
  }
  return parsed.offset as number;
}

/**
 * LookupEvents in `region` over `records` (the records this caller may see): the records of that
 * region (`awsRegion`) within StartTime..EndTime, filtered by the one lookup attribute, newest
 * first, MaxResults (1..50, default 50) a page with NextToken. Management events only (Insights
 * events with EventCategory `insight`). Errors as the API names them: more than one attribute or an
 * unknown one is InvalidLookupAttributesException, MaxResults out of range
 * InvalidMaxResultsException, StartTime after EndTime InvalidTimeRangeException, a token from
 * another lookup InvalidNextTokenException.
 */
export function lookupEvents(records: readonly CloudTrailRecord[], input: Json, region: string): { Events: Json[]; NextToken?: string } {
  const attributes = (input.LookupAttributes as Array<{ AttributeKey?: string; AttributeValue?: string }> | undefined) ?? [];
  if (attributes.length > 1) throw awsError('InvalidLookupAttributesException', `LookupAttributes can contain only one item (got ${attributes.length})`);
  const [attr] = attributes;
  const read = attr ? LOOKUP_ATTRIBUTES[String(attr.AttributeKey)] : undefined;
  if (attr && (!read || attr.AttributeValue === undefined)) throw awsError('InvalidLookupAttributesException', `${String(attr.AttributeKey)} is not a lookup attribute, or has no value`);
  const pageSize = input.MaxResults === undefined ? LOOKUP_EVENTS_MAX_RESULTS : Number(input.MaxResults);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > LOOKUP_EVENTS_MAX_RESULTS) throw awsError('InvalidMaxResultsException', `MaxResults is 1 to ${LOOKUP_EVENTS_MAX_RESULTS}`);
  const start = time(input.StartTime) ?? -Infinity;
  const end = time(input.EndTime) ?? Infinity;
  if (start > end) throw awsError('InvalidTimeRangeException', 'StartTime is after EndTime');
  const wanted = input.EventCategory === 'insight' ? 'insight' : 'management';
  const query = JSON.stringify([region, attr ?? null, input.StartTime ?? null, input.EndTime ?? null, wanted]);
  const offset = typeof input.NextToken === 'string' && input.NextToken !== '' ? tokenOffset(input.NextToken, query) : 0;
  const matching = records
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.awsRegion === region && category(r) === wanted)
    .filter(({ r }) => {
      const t = Date.parse(r.eventTime);
      return t >= start && t <= end;
    })
    .filter(({ r }) => !read || read(r).includes(String(attr?.AttributeValue)))
    .sort((a, b) => Date.parse(b.r.eventTime) - Date.parse(a.r.eventTime) || a.i - b.i);
  const page = matching.slice(offset, offset + pageSize);
  return {
    Events: page.map(({ r }) => asLookupEvent(r)),
    ...(offset + pageSize < matching.length ? { NextToken: nextToken(offset + pageSize, query) } : {}),
  };
}

/**
 * The scenario's CloudTrail event history. A record delivered late (`visibleAfter`: a workflow
 * state) is hidden until that state has looked, and from that state's own calls.
 */
export class SimulatedCloudTrail {
  /** The invocations (workflow states) that have called LookupEvents: a late record's `visibleAfter`. */
  private readonly lookedUpBy = new Set<string>();

  constructor(private readonly entries: readonly TrailEntry[]) {}

  /**
   * What the responder will never see, one line each: the data events (LookupEvents returns
   * management events only), records of regions the account has not enabled (the investigation
   * searches enabled ones), and records older than the investigation's lookback (`since`, ms).
   */
  unseen(enabledRegions: readonly string[], since?: { ms: number; lookbackDays: number }): string[] {
    const records = this.entries.map((e) => e.record);
    const names = (list: CloudTrailRecord[]) => [...new Set(list.map((r) => `${r.eventSource.replace(/\.amazonaws\.com$/, '')}:${r.eventName}`))].slice(0, 5).join(', ');
    const notes: string[] = [];
    const data = records.filter((r) => !isServedByLookupEvents(r));
    if (data.length > 0) {
      notes.push(`${data.length} data event(s) of the scenario's cloudTrail (${names(data)}) are ignored: LookupEvents returns management events only, so the responder cannot see them (they are only in CloudTrail Lake or a trail's own logs)`);
    }
    const elsewhere = records.filter((r) => isServedByLookupEvents(r) && !enabledRegions.includes(r.awsRegion));
    if (elsewhere.length > 0) {
      const regions = [...new Set(elsewhere.map((r) => r.awsRegion))].join(', ');
      notes.push(`${elsewhere.length} record(s) of the scenario's cloudTrail are in regions it does not enable (${regions}; its regions: ${enabledRegions.join(', ')}): the investigation searches enabled regions only, so it will not see them`);
    }
    const old = since ? records.filter((r) => Date.parse(r.eventTime) < since.ms) : [];
    if (since && old.length > 0) {
      notes.push(`${old.length} record(s) of the scenario's cloudTrail are older than the investigation's lookback (${since.lookbackDays} days, since ${new Date(since.ms).toISOString()}): it will not see them; move their eventTime closer to now to replay them`);
    }
    return notes;
  }

  /** LookupEvents in `region`, called by `caller` (the invocation, if known). */
  lookupEvents(input: Json, region: string, caller?: string) {
    const visible = this.entries.filter(
      (e) => e.visibleAfter === undefined || (this.lookedUpBy.has(e.visibleAfter) && caller !== e.visibleAfter),
    );
    if (caller) this.lookedUpBy.add(caller);
    return lookupEvents(visible.map((e) => e.record), input, region);
  }
}
