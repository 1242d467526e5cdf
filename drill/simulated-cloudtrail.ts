// The simulated CloudTrail: LookupEvents over a scenario's records, per region, as the drill's
// account answers it. Its rate limit is the account's (drill/simulated-limits.ts).

/** CloudTrail LookupEvents: 2 requests per second per account per region (the scenario's default; drill/simulated-limits.ts enforces it). */
export const LOOKUP_EVENTS_PER_SECOND = 2;

type TrailRecord = Record<string, unknown>;

/** The key that signed a scenario record: its own `accessKeyId`, or its userIdentity's (a session's ASIA key). */
function keyOf(e: TrailRecord): unknown {
  return e.accessKeyId ?? (e.userIdentity as { accessKeyId?: unknown } | undefined)?.accessKeyId;
}

/** How LookupEvents reads each lookup attribute off a scenario record (undefined: not filtered). */
const LOOKUP_ATTRIBUTES: Record<string, (e: TrailRecord) => unknown> = {
  AccessKeyId: keyOf,
  Username: (e) => e.userName,
  EventName: (e) => e.eventName,
};

/**
 * The scenario's CloudTrail event history. A record delivered late (`visibleAfter`: a workflow
 * state) is hidden until that state has looked, and from that state's own calls.
 */
export class SimulatedCloudTrail {
  /** The invocations (workflow states) that have called LookupEvents: a late record's `visibleAfter`. */
  private readonly lookedUpBy = new Set<string>();

  constructor(
    private readonly accountId: string,
    private readonly records: readonly TrailRecord[],
  ) {}

  /** LookupEvents in `region`, called by `caller` (the invocation, if known). */
  lookupEvents(input: Record<string, unknown>, region: string, caller?: string) {
    const [attr] = (input.LookupAttributes as Array<{ AttributeKey: string; AttributeValue: string }> | undefined) ?? [];
    const start = input.StartTime ? new Date(input.StartTime as Date).getTime() : 0;
    const end = input.EndTime ? new Date(input.EndTime as Date).getTime() : Infinity;
    const pageSize = Math.min(Number(input.MaxResults ?? 50), 50);
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const visible = (e: TrailRecord) =>
      e.visibleAfter === undefined || (this.lookedUpBy.has(String(e.visibleAfter)) && caller !== e.visibleAfter);
    if (caller) this.lookedUpBy.add(caller);
    const matching = this.records
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => visible(e))
      .filter(({ e }) => (e.region ?? 'us-east-1') === region)
      .filter(({ e }) => {
        const t = Date.parse(String(e.eventTime));
        return t >= start && t <= end;
      })
      .filter(({ e }) => {
        const read = attr && LOOKUP_ATTRIBUTES[attr.AttributeKey];
        return !read || read(e) === attr.AttributeValue;
      })
      .sort((a, b) => Date.parse(String(b.e.eventTime)) - Date.parse(String(a.e.eventTime)));
    const page = matching.slice(offset, offset + pageSize);
    return {
      Events: page.map(({ e, i }) => {
        const eventId = String(e.eventId ?? `sim-event-${i}`);
        const record = {
          eventVersion: '1.09',
          userIdentity: e.userIdentity ?? { type: 'IAMUser', userName: e.userName, accessKeyId: e.accessKeyId, accountId: this.accountId },
          eventTime: e.eventTime, eventSource: e.eventSource, eventName: e.eventName, awsRegion: region,
          sourceIPAddress: e.sourceIPAddress ?? '203.0.113.10', userAgent: e.userAgent ?? 'aws-cli/2.15.0',
          requestParameters: e.requestParameters ?? null, responseElements: e.responseElements ?? null,
          ...(e.errorCode ? { errorCode: e.errorCode } : {}),
          eventID: eventId, readOnly: false, eventType: 'AwsApiCall', recipientAccountId: this.accountId,
        };
        return { EventId: eventId, EventName: e.eventName, EventTime: new Date(String(e.eventTime)), EventSource: e.eventSource, Username: e.userName, AccessKeyId: keyOf(e), CloudTrailEvent: JSON.stringify(record) };
      }),
      ...(offset + pageSize < matching.length ? { NextToken: String(offset + pageSize) } : {}),
    };
  }
}
