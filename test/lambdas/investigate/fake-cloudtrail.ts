import { CloudTrailClient, Event as TrailEvent, LookupEventsCommand, LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { asLookupEvent as sharedAsLookupEvent, lookupEvents } from '../../../drill/simulated-cloudtrail';
import { CloudTrailRecord, toTrailEntry } from '../../../drill/scenario-cloudtrail';
import { ACCOUNT_ID, KEY_ID } from '../helpers';

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

/**
 * What LookupEvents returns for a record (a captured one, or the flat one a test writes), as the
 * drill's simulated CloudTrail answers it (drill/simulated-cloudtrail.ts): the same implementation.
 */
export function asLookupEvent(r: TrailRecord | Record<string, unknown>): TrailEvent {
  return sharedAsLookupEvent(toTrailEntry(r as Record<string, unknown>, 0, ACCOUNT_ID).record) as TrailEvent;
}

export interface LookupCall {
  region: string;
  input: LookupEventsCommandInput;
  /** When the call was made, by the clock given to the fake (0 without one). */
  at: number;
}

/**
 * CloudTrail of a simulated account behind the mocked client: LookupEvents answered by the drill's
 * implementation (drill/simulated-cloudtrail.ts: per region, one lookup attribute, StartTime and
 * EndTime, 50 a page with NextToken), over the records added (flat ones as the test writes them,
 * or records as CloudTrail captured them), and errors queued per region.
 */
export class FakeCloudTrail {
  private readonly records: CloudTrailRecord[] = [];
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

  /** Records: flat ones ({@link aRecord}) or as CloudTrail wrote them (test/fixtures/cloudtrail). */
  add(...records: Array<TrailRecord | Record<string, unknown>>): this {
    for (const r of records) this.records.push(toTrailEntry(r as Record<string, unknown>, this.records.length, ACCOUNT_ID).record);
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
    return lookupEvents(this.records, input as Record<string, unknown>, region) as Omit<LookupEventsCommandOutput, '$metadata'>;
  }
}
