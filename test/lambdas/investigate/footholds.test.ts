// Following the attacker in the investigation: the sessions the key obtained are looked up by their
// own key ids, and what CloudTrail ties to the key comes out as `footholds` (bounded), the whole
// list saved as footholds.json.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { boundFootholds, MAX_FOOTHOLDS_CHARS, MAX_GAPS } from '../../../lambdas/footholds/bound';
import { Footholds } from '../../../lambdas/footholds/contract';
import { Investigation } from '../../../lambdas/investigate/investigate';
import { ACCOUNT_ID, anIncident, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail, TrailRecord } from './fake-cloudtrail';
import { BUCKET, deps, enabledRegions, FOOTHOLDS_KEY, resetAccount, run, s3 } from './harness';
import { VirtualClock } from './virtual-clock';

const ROLE_SESSION_KEY = 'ASIAROLESESSION00001';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/deploy`;

/** The leaked key assumes role `deploy` (us-east-1): the session's key id is in the response. */
function assumeRole(overrides: Partial<TrailRecord> = {}): TrailRecord {
  return aRecord({
    eventId: 'assume',
    eventTime: '2026-11-20T09:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    requestParameters: { roleArn: ROLE_ARN, roleSessionName: 'x' },
    responseElements: { credentials: { accessKeyId: ROLE_SESSION_KEY, expiration: 'Nov 20, 2026, 10:00:00 PM' } },
    ...overrides,
  });
}

/** A call of the role session, as CloudTrail writes it: no user name, the session's own key id. */
function bySession(overrides: Partial<TrailRecord>): TrailRecord {
  return aRecord({
    accessKeyId: ROLE_SESSION_KEY,
    userName: undefined,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/x`,
      accountId: ACCOUNT_ID,
      accessKeyId: ROLE_SESSION_KEY,
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'deploy', arn: ROLE_ARN } },
    },
    ...overrides,
  });
}

function savedFootholds(): Footholds {
  const put = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === FOOTHOLDS_KEY);
  if (!put) throw new Error('footholds.json was not written');
  return JSON.parse(String(put.args[0].input.Body));
}

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: the sessions the key obtained', () => {
  it('looks each session up by its key id in every region and finds what only the session did', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(
      assumeRole(),
      bySession({ eventId: 'backdoor', eventTime: '2026-11-20T09:01:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'support-admin' } }),
      bySession({
        eventId: 'miner', region: 'eu-west-1', eventTime: '2026-11-20T09:02:00Z', eventName: 'RunInstances',
        requestParameters: { instanceType: 'p3.16xlarge' }, responseElements: { instancesSet: { items: [{ instanceId: 'i-0miner' }] } },
      }),
      // Someone else, in the same minutes: never a foothold.
      aRecord({ eventId: 'other', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', accessKeyId: 'AKIAOTHEROTHEROTHER1', userName: 'alice', requestParameters: { userName: 'innocent' } }),
    );

    const result = await run();

    for (const region of ['us-east-1', 'eu-west-1']) {
      expect(trail.callsIn(region).map((i) => i.LookupAttributes)).toEqual([
        [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }],
        [{ AttributeKey: 'Username', AttributeValue: 'ci-deploy' }],
        [{ AttributeKey: 'AccessKeyId', AttributeValue: ROLE_SESSION_KEY }],
      ]);
    }
    expect(result.eventCount).toBe(3);
    const found = result.footholds!;
    expect(found.sessions).toEqual([
      { accessKeyId: ROLE_SESSION_KEY, via: 'AssumeRole', as: ROLE_ARN, proof: expect.objectContaining({ eventId: 'assume', callerKeyId: KEY_ID }) },
    ]);
    expect(found.footholds.map((f) => [f.kind, f.proof.eventId, f.proof.callerKeyId])).toEqual([
      ['assumed-role', 'assume', KEY_ID],
      ['user', 'backdoor', ROLE_SESSION_KEY],
      ['instance', 'miner', ROLE_SESSION_KEY],
    ]);
    expect(found.footholds[2]).toMatchObject({ kind: 'instance', region: 'eu-west-1', instanceId: 'i-0miner', instanceType: 'p3.16xlarge' });
    expect(found.records).toEqual({ read: 3, unreadable: 0, tied: 3 });
    expect(found.object).toBe(`s3://${BUCKET}/${FOOTHOLDS_KEY}`);
    expect(result.failures).toEqual([]);
  });

  it('makes no session lookup when the key obtained no session', async () => {
    trail.add(aRecord({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'support-admin' } }));

    const result = await run();

    expect(trail.calls).toHaveLength(2);
    expect(result.footholds).toMatchObject({ sessions: [], footholds: [{ kind: 'user', userName: 'support-admin' }], truncated: [], gaps: [] });
  });

  it('paces the session lookups within the region\'s 2 requests a second shared with the first pass', async () => {
    const clock = new VirtualClock();
    trail = resetAccount(() => clock.now);
    trail.add(assumeRole(), bySession({ eventId: 'list', eventName: 'ListUsers', eventSource: 'iam.amazonaws.com' }));

    const result = await clock.run(run(anIncident(), { ...deps(), sleep: clock.sleep }));

    // The first pass's two calls at 0 hold both slots for 1.1 s: the session's lookup waits for one.
    expect(trail.calls.map((c) => [c.input.LookupAttributes?.[0].AttributeValue, c.at])).toEqual([
      [KEY_ID, 0],
      ['ci-deploy', 0],
      [ROLE_SESSION_KEY, 1100],
    ]);
    expect(result.eventCount).toBe(2);
  });

  it('reports a session lookup that fails, naming the session, and keeps the rest', async () => {
    trail.add(assumeRole());
    trail.failOnCall('us-east-1', 3, Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));

    const result = await run();

    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents us-east-1',
        error: `AccessDeniedException: User is not authorized (lookup by AccessKeyId ${ROLE_SESSION_KEY} (a session the key obtained with AssumeRole), after 0 page(s)): us-east-1's activity is incomplete, 0 event(s) of it kept`,
      },
    ]);
    expect(result.footholds!.footholds.map((f) => f.kind)).toEqual(['assumed-role']);
  });
});

describe('investigate: the footholds in the output', () => {
  /** `n` PutUserPolicy calls by the key, each with a 1,000-character document: report-only footholds. */
  function policyChanges(n: number): TrailRecord[] {
    return Array.from({ length: n }, (_, i) =>
      aRecord({
        eventId: `put-${String(i).padStart(3, '0')}`,
        eventSource: 'iam.amazonaws.com',
        eventName: 'PutUserPolicy',
        requestParameters: { userName: `user-${i}`, policyName: 'p', policyDocument: 'x'.repeat(2_000) },
      }),
    );
  }

  it('keeps the output well under 100 KB: containable footholds first, the rest said and saved whole in footholds.json', async () => {
    trail.add(
      ...policyChanges(120),
      aRecord({ eventId: 'zz-key', eventTime: '2026-11-20T09:59:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters: { userName: 'support-admin' }, responseElements: { accessKey: { userName: 'support-admin', accessKeyId: 'AKIA3BACKDOORKEY0001' } } }),
    );

    const result: Investigation = await run();

    expect(JSON.stringify(result).length).toBeLessThan(100_000);
    const found = result.footholds!;
    expect(MAX_FOOTHOLDS_CHARS).toBe(32_000);
    expect(JSON.stringify(found).length).toBeLessThanOrEqual(32_000);
    // The key, created last, is kept: containable kinds are kept before report-only ones.
    expect(found.footholds.filter((f) => f.kind === 'access-key')).toEqual([expect.objectContaining({ userName: 'support-admin', accessKeyId: 'AKIA3BACKDOORKEY0001' })]);
    const listed = found.footholds.length;
    expect(listed).toBeLessThan(121);
    expect(found.truncated).toEqual([
      `footholds: 121 listed by the investigation, the first ${listed} carried by the workflow (containable kinds first, its state is kept small); left out: ${121 - listed} permission-change. They are in footholds.json and are NOT contained`,
    ]);
    const saved = savedFootholds();
    expect(saved.footholds).toHaveLength(121);
    expect(saved.truncated).toEqual([]);
  });

  it('lists the first gaps and counts the rest', () => {
    const gaps = Array.from({ length: 30 }, (_, i) => `gap ${i}`);
    const found: Footholds = { footholds: [], sessions: [], records: { read: 30, unreadable: 0, tied: 30 }, truncated: [], gaps };

    const bounded = boundFootholds(found);

    expect(bounded.gaps).toHaveLength(MAX_GAPS);
    expect(bounded.gaps[MAX_GAPS - 2]).toBe('gap 18');
    expect(bounded.gaps[MAX_GAPS - 1]).toBe('and 11 more records that do not say what they created or changed: see footholds.json');
  });

  it('returns a list that fits as it is', () => {
    const found: Footholds = { footholds: [], sessions: [], records: { read: 0, unreadable: 0, tied: 0 }, truncated: [], gaps: ['one'] };

    expect(boundFootholds(found)).toEqual(found);
  });
});
