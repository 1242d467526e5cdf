// The CloudTrail search: lookups, paging, regions, the rate limit, back-off and the deadline.
import { AccessDeniedException, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { Investigation } from '../../../lambdas/investigate/investigate';
import { Incident } from '../../../lambdas/shared/incident';
import { anIncident, awsError, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';
import {
  activityLines,
  cloudtrailStub,
  deps,
  ec2,
  enabledRegions,
  NOW,
  resetAccount,
  run,
  SESSION_KEY,
  TestDeps,
  throttling,
} from './harness';
import { VirtualClock } from './virtual-clock';

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: what the key did', () => {
  it('finds events by AccessKeyId and by user name, and counts an event both find once', async () => {
    trail.add(
      aRecord({ eventId: 'both-1', accessKeyId: KEY_ID, userName: 'ci-deploy' }),
      aRecord({ eventId: 'both-2', accessKeyId: KEY_ID, userName: 'ci-deploy' }),
      aRecord({ eventId: 'session-only', accessKeyId: SESSION_KEY, userName: 'ci-deploy' }),
      aRecord({ eventId: 'someone-else', accessKeyId: 'AKIAOTHEROTHEROTHER1', userName: 'other-user' }),
    );

    const result = await run();

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([
      [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }],
      [{ AttributeKey: 'Username', AttributeValue: 'ci-deploy' }],
    ]);
    expect(result.eventCount).toBe(3);
    expect(activityLines().map((l) => l.eventID)).toEqual(['both-1', 'both-2', 'session-only']);
    expect(result.failures).toEqual([]);
  });

  it('pages each lookup to the end with NextToken', async () => {
    trail.add(...Array.from({ length: 120 }, () => aRecord()));

    const result = await run();

    const byKey = trail.calls.filter((c) => c.input.LookupAttributes?.[0].AttributeKey === 'AccessKeyId');
    const tokens = byKey.map((c) => c.input.NextToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toBeUndefined();
    expect(new Set(tokens.slice(1)).size).toBe(2);
    expect(tokens.slice(1).every((t) => typeof t === 'string' && t !== '')).toBe(true);
    expect(result.pages).toBe(6);
    expect(result.eventCount).toBe(120);
  });

  it('searches every enabled region, and us-east-1 even when DescribeRegions does not list it', async () => {
    enabledRegions('eu-west-1', 'ap-southeast-2');
    trail.add(aRecord({ region: 'eu-west-1' }), aRecord({ region: 'ap-southeast-2' }), aRecord({ region: 'us-east-1' }));

    const result = await run();

    expect(ec2).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: false });
    expect(result.regions).toEqual(['us-east-1', 'ap-southeast-2', 'eu-west-1']);
    expect([...new Set(trail.calls.map((c) => c.region))].sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    for (const region of result.regions) expect(trail.callsIn(region)).toHaveLength(2);
    expect(result.byRegion).toEqual({ 'ap-southeast-2': 1, 'eu-west-1': 1, 'us-east-1': 1 });
  });

  it('searches the 17 regions every account has enabled, and says opt-in regions were not, when the regions cannot be listed', async () => {
    ec2.on(DescribeRegionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    trail.add(aRecord({ region: 'eu-west-1' }));

    const result = await run();

    expect(result.regions).toEqual([
      'us-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
      'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ]);
    expect(result.byRegion).toEqual({ 'eu-west-1': 1 });
    expect(result.failures).toEqual([
      {
        what: 'ec2:DescribeRegions',
        error: 'UnauthorizedOperation: You are not authorized to perform this operation.: searched the 17 regions every account has enabled; opt-in regions the account enabled were not searched',
      },
    ]);
  });

  it('searches the lookback window ending now, 50 events a page', async () => {
    const result = await run(anIncident(), deps({ lookbackDays: 7 }));

    const from = new Date('2026-11-13T10:05:00.000Z');
    for (const { input } of trail.calls) {
      expect(input).toMatchObject({ StartTime: from, EndTime: NOW, MaxResults: 50 });
    }
    expect(result.lookback).toEqual({ from: from.toISOString(), to: NOW.toISOString(), days: 7 });
  });

  it('still counts an event whose CloudTrailEvent is not JSON, from the lookup fields', async () => {
    const record = aRecord({ eventId: 'garbled', eventName: 'RunInstances' });
    cloudtrailStub.reset();
    cloudtrailStub.callsFake(async () => ({
      Events: [{ EventId: 'garbled', EventName: 'RunInstances', EventSource: 'ec2.amazonaws.com', EventTime: new Date(record.eventTime), CloudTrailEvent: '{not json' }],
    }));

    const result = await run();

    expect(result.eventCount).toBe(1);
    expect(result.notable).toEqual([expect.objectContaining({ eventName: 'RunInstances', summary: 'RunInstances in us-east-1' })]);
  });
});

describe('investigate: CloudTrail rate limits', () => {
  let clock: VirtualClock;

  beforeEach(() => {
    clock = new VirtualClock();
    trail = resetAccount(() => clock.now);
  });

  /** Runs the investigation with its waits in virtual time. */
  function runTimed(incident: Incident = anIncident(), d: TestDeps = deps()): Promise<Investigation> {
    return clock.run(run(incident, { ...d, sleep: clock.sleep }));
  }

  /** When each LookupEvents call in `region` was made, in virtual ms. */
  function callTimes(region = 'us-east-1'): number[] {
    return trail.calls.filter((c) => c.region === region).map((c) => c.at);
  }

  it('stops paging at the deadline before the Lambda time limit, keeping what it found and saying so', async () => {
    trail.add(...Array.from({ length: 120 }, () => aRecord({ userName: undefined })));
    const d = deps();
    let pagesBeforeDeadline = 3;
    // Time passes: the deadline (read once before each page) is behind us after three pages: the
    // first by key and by user name side by side (the second lookup finds nothing), then the second by key.
    const result = await run(anIncident(), {
      ...d,
      get deadline() {
        return pagesBeforeDeadline-- > 0 ? Date.now() + 60_000 : Date.now() - 1;
      },
    });

    expect(result.pages).toBe(3);
    expect(result.eventCount).toBe(100);
    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents us-east-1',
        error:
          "Error: stopped before the Lambda time limit: the key has more activity than one investigation can page (lookup by AccessKeyId, after 2 page(s)): us-east-1's activity is incomplete, 100 event(s) of it kept",
      },
    ]);
    expect(activityLines()).toHaveLength(100);
  });

  it('pages both lookups side by side within the region\'s 2 requests a second', async () => {
    trail.add(...Array.from({ length: 120 }, () => aRecord()));

    const result = await runTimed();

    const byKey = trail.calls.filter((c) => c.input.LookupAttributes?.[0].AttributeKey === 'AccessKeyId').map((c) => c.at);
    const byUser = trail.calls.filter((c) => c.input.LookupAttributes?.[0].AttributeKey === 'Username').map((c) => c.at);
    expect(byKey).toEqual([0, 1100, 2200]);
    expect(byUser).toEqual([0, 1100, 2200]);
    expect(result.eventCount).toBe(120);
  });

  it('begins at most 2 calls in a region in any 1.1 s, each as soon as that allows', async () => {
    trail.add(...Array.from({ length: 220 }, () => aRecord({ userName: undefined })));

    const result = await runTimed();

    expect(result.pages).toBe(6); // 5 pages by key, 1 by user name (which finds nothing)
    expect(callTimes()).toEqual([0, 0, 1100, 1100, 2200, 2200]);
  });

  it('searches the regions side by side, each within its own 2 requests a second', async () => {
    enabledRegions('us-east-1', 'eu-west-1', 'ap-southeast-2');
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) trail.add(...Array.from({ length: 60 }, () => aRecord({ region, userName: undefined })));

    const result = await runTimed();

    expect(result.pages).toBe(9);
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) expect(callTimes(region)).toEqual([0, 0, 1100]);
  });

  it('backs off 1 s then 2 s on ThrottlingException and then carries on', async () => {
    trail.add(aRecord({ eventId: 'after-throttling' }));
    trail.failNext('us-east-1', throttling(), throttling());

    const result = await runTimed(anIncident({ userName: 'root', principalType: 'root' })); // one lookup: by key

    expect(callTimes()).toEqual([0, 1000, 3000]);
    expect(result.eventCount).toBe(1);
    expect(result.failures.filter((f) => f.what.startsWith('cloudtrail'))).toEqual([]);
  });

  it('sends each LookupEvents that keeps being throttled 5 times in all, over 15 s, and reports the other regions', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(aRecord({ eventId: 'home', region: 'us-east-1' }), aRecord({ eventId: 'lost', region: 'eu-west-1' }));
    trail.failAlways('eu-west-1', throttling);

    const result = await runTimed();

    // Both lookups (by key, by user name) side by side: each tried 5 times, 1, 2, 4 and 8 s apart
    // (and never two calls of the region within 1.1 s of each other's pair).
    expect(callTimes('eu-west-1')).toEqual([0, 0, 1100, 1100, 3100, 3100, 7100, 7100, 15100, 15100]);
    expect(cloudtrailStub.commandCalls(LookupEventsCommand).length).toBe(10 + 2); // eu-west-1's 2 x 5 tries, us-east-1's 2 lookups
    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents eu-west-1',
        error:
          'ThrottlingException: Rate exceeded (gave up after 5 attempts) (lookup by AccessKeyId, after 0 page(s)); ' +
          "ThrottlingException: Rate exceeded (gave up after 5 attempts) (lookup by Username, after 0 page(s)): eu-west-1's activity is incomplete, 0 event(s) of it kept",
      },
    ]);
    expect(result.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(result.eventCount).toBe(1);
    expect(result.byRegion).toEqual({ 'us-east-1': 1 });
  });

  it('records AccessDenied in a region at once, without retrying, and keeps what that region already gave', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(aRecord({ eventId: 'by-key', region: 'eu-west-1', userName: undefined }));
    const denied = new AccessDeniedException({ message: 'User is not authorized to perform: cloudtrail:LookupEvents', $metadata: { httpStatusCode: 400 } });
    trail.failOnCall('eu-west-1', 2, denied); // the lookup by user name

    const result = await runTimed();

    expect(callTimes('eu-west-1')).toEqual([0, 0]); // no back-off
    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents eu-west-1',
        error: "AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents (lookup by Username, after 0 page(s)): eu-west-1's activity is incomplete, 1 event(s) of it kept",
      },
    ]);
    expect(result.byRegion).toEqual({ 'eu-west-1': 1 });
  });
});
