import { CloudTrailClient, Event as TrailEvent, LookupEventsCommand, LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { KEY_ID } from '../helpers';

/** One CloudTrail record of the simulated account, as the test writes it. */
export interface TrailRecord {
  region: string;
  eventId: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  /** The key that signed the call: the exposed key, or a session's ASIA key. */
  accessKeyId?: string;
  /** The caller's user name (LookupEvents' Username). */
  userName?: string;
  errorCode?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown> | null;
  /** CloudTrail's userIdentity as written (an AssumedRole session...); default: the IAM user `userName` with `accessKeyId`. */
  userIdentity?: Record<string, unknown>;
}

let sequence = 0;

/** A call the exposed key made (user ci-deploy) in us-east-1, with `overrides`. */
export function aRecord(overrides: Partial<TrailRecord> = {}): TrailRecord {
  sequence += 1;
  return {
    region: 'us-east-1',
    eventId: `evt-${String(sequence).padStart(6, '0')}`,
    eventTime: `2026-11-20T09:${String(sequence % 60).padStart(2, '0')}:00Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    accessKeyId: KEY_ID,
    userName: 'ci-deploy',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: {},
    responseElements: null,
    ...overrides,
  };
}

/** What LookupEvents returns for a record: the lookup's fields and the record as a JSON string. */
export function asLookupEvent(r: TrailRecord): TrailEvent {
  return {
    EventId: r.eventId,
    EventName: r.eventName,
    EventTime: new Date(r.eventTime),
    EventSource: r.eventSource,
    AccessKeyId: r.accessKeyId,
    Username: r.userName,
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09',
      userIdentity: r.userIdentity ?? { type: 'IAMUser', userName: r.userName, accessKeyId: r.accessKeyId, accountId: '123456789012' },
      eventTime: r.eventTime,
      eventSource: r.eventSource,
      eventName: r.eventName,
      awsRegion: r.region,
      sourceIPAddress: r.sourceIPAddress,
      userAgent: r.userAgent,
      ...(r.errorCode ? { errorCode: r.errorCode, errorMessage: 'denied' } : {}),
      requestParameters: r.requestParameters,
      responseElements: r.responseElements,
      eventID: r.eventId,
      recipientAccountId: '123456789012',
    }),
  };
}

export interface LookupCall {
  region: string;
  input: LookupEventsCommandInput;
  /** When the call was made, by the clock given to the fake (0 without one). */
  at: number;
}

/**
 * CloudTrail of a simulated account behind the mocked client: LookupEvents by AccessKeyId or
 * Username (or none: every event), per region, 50 a page with NextToken, and errors queued per region.
 */
export class FakeCloudTrail {
  readonly records: TrailRecord[] = [];
  readonly calls: LookupCall[] = [];
  private readonly errors = new Map<string, Array<Error | (() => Error)>>();
  private readonly alwaysFailing = new Map<string, () => Error>();
  private readonly failingCalls = new Map<string, Error>();

  constructor(stub: AwsClientStub<CloudTrailClient>, clock: () => number = () => 0) {
    stub.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
      const region = await getClient().config.region();
      this.calls.push({ region, input, at: clock() });
      const queued = this.errors.get(region)?.shift();
      if (queued) throw typeof queued === 'function' ? queued() : queued;
      const nth = this.failingCalls.get(`${region} ${this.callsIn(region).length}`);
      if (nth) throw nth;
      const always = this.alwaysFailing.get(region);
      if (always) throw always();
      return this.lookup(region, input);
    });
  }

  add(...records: TrailRecord[]): this {
    this.records.push(...records);
    return this;
  }

  /** The next calls in `region` fail with these, in order. */
  failNext(region: string, ...errors: Array<Error | (() => Error)>): this {
    this.errors.set(region, [...(this.errors.get(region) ?? []), ...errors]);
    return this;
  }

  /** The `n`th call (from 1) in `region` fails. */
  failOnCall(region: string, n: number, error: Error): this {
    this.failingCalls.set(`${region} ${n}`, error);
    return this;
  }

  /** Every call in `region` fails. */
  failAlways(region: string, error: () => Error): this {
    this.alwaysFailing.set(region, error);
    return this;
  }

  callsIn(region: string): LookupEventsCommandInput[] {
    return this.calls.filter((c) => c.region === region).map((c) => c.input);
  }

  private lookup(region: string, input: LookupEventsCommandInput) {
    const attributes = input.LookupAttributes ?? [];
    if (attributes.length > 1) throw new Error('LookupEvents takes at most one lookup attribute');
    // No attribute: every event of the region (a shared search).
    const [{ AttributeKey, AttributeValue } = { AttributeKey: undefined, AttributeValue: undefined }] = attributes;
    const matching = this.records.filter(
      (r) =>
        r.region === region &&
        (AttributeKey === undefined ||
          (AttributeKey === 'AccessKeyId' ? r.accessKeyId === AttributeValue : AttributeKey === 'Username' && r.userName === AttributeValue)),
    );
    const size = Math.min(input.MaxResults ?? 50, 50);
    const start = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
    const page = matching.slice(start, start + size);
    return {
      Events: page.map(asLookupEvent),
      NextToken: start + size < matching.length ? `page-${start + size}` : undefined,
    };
  }
}
