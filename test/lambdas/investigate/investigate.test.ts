import { AccessDeniedException, CloudTrailClient, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  SimulateCustomPolicyCommand,
  SimulateCustomPolicyCommandInput,
  SimulatePrincipalPolicyCommand,
  SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvestigationSchema } from '../../../lambdas/investigate/contract';
import {
  HIGH_RISK_ACTIONS,
  investigate,
  InvestigateConfig,
  InvestigateDeps,
  Investigation,
  NOTABLE_EVENT_NAMES,
} from '../../../lambdas/investigate/investigate';
import { Incident } from '../../../lambdas/shared/incident';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import { ACCOUNT_ID, anIncident, awsError, fakeLogger, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';

const cloudtrailStub = mockClient(CloudTrailClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);

const NOW = new Date('2026-11-20T10:05:00.000Z');
const BUCKET = 'incident-bucket';
const INCIDENT_ID = `${KEY_ID}-20261120`;
const ACTIVITY_KEY = `incidents/${INCIDENT_ID}/activity.jsonl`;
const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci/ci-deploy`;
const SESSION_KEY = 'ASIAIOSFODNN7SESSION';

let trail: FakeCloudTrail;

type TestDeps = InvestigateDeps & { logger: ReturnType<typeof fakeLogger>; sleep: jest.Mock<Promise<void>, [number]> };

function deps(config: Partial<InvestigateConfig> = {}): TestDeps {
  const clients = new Map<string, CloudTrailClient>();
  return {
    cloudtrail: (region) => {
      if (!clients.has(region)) clients.set(region, new CloudTrailClient({ region }));
      return clients.get(region)!;
    },
    ec2: new EC2Client({ region: 'us-east-1' }),
    iam: new IAMClient({}),
    s3: new S3Client({}),
    logger: fakeLogger(),
    config: { bucket: BUCKET, lookbackDays: 90, dryRun: false, ...config },
    now: () => NOW,
    sleep: jest.fn(async (_ms: number) => undefined),
  };
}

function run(incident: Incident = anIncident(), d: TestDeps = deps()): Promise<Investigation> {
  return investigate(incident, d);
}

function enabledRegions(...names: string[]): void {
  ec2.on(DescribeRegionsCommand).resolves({ Regions: names.map((RegionName) => ({ RegionName, OptInStatus: 'opt-in-not-required' })) });
}

/** Every action of the simulation answered `decision`, except those in `allowed`. */
function simulationAnswer(allowed: readonly string[], decision = 'implicitDeny') {
  return (input: SimulatePrincipalPolicyCommandInput | SimulateCustomPolicyCommandInput) => ({
    EvaluationResults: (input.ActionNames ?? []).map((EvalActionName) => ({
      EvalActionName,
      EvalDecision: allowed.includes(EvalActionName) ? 'allowed' : decision,
    })),
    IsTruncated: false,
  });
}

function throttling(): ThrottlingException {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

function activityLines(): Array<Record<string, any>> {
  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  return String(put.Body)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

beforeEach(() => {
  cloudtrailStub.reset();
  ec2.reset();
  iam.reset();
  s3.reset();
  trail = new FakeCloudTrail(cloudtrailStub);
  enabledRegions('us-east-1');
  iam.onAnyCommand().resolves({});
  iam.on(GetUserCommand).resolves({
    User: { UserName: 'ci-deploy', UserId: 'AIDAEXAMPLE', Arn: USER_ARN, Path: '/ci/', CreateDate: new Date('2025-01-01') },
  });
  iam.on(SimulatePrincipalPolicyCommand).callsFake(simulationAnswer([]));
  iam.on(SimulateCustomPolicyCommand).callsFake(simulationAnswer([]));
  s3.on(PutObjectCommand).resolves({});
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
    expect(byKey.map((c) => c.input.NextToken)).toEqual([undefined, 'page-50', 'page-100']);
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

  it('searches us-east-1 alone and says so when the regions cannot be listed', async () => {
    ec2.on(DescribeRegionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    const result = await run();

    expect(result.regions).toEqual(['us-east-1']);
    expect(result.failures).toEqual([
      { what: 'ec2:DescribeRegions', error: 'UnauthorizedOperation: You are not authorized to perform this operation.: searched us-east-1 only' },
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

  it('reports when the activity started and ended, by service, and the top source IPs and user agents', async () => {
    trail.add(
      aRecord({ eventTime: '2026-11-20T09:01:00Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', sourceIPAddress: '198.51.100.1', userAgent: 'python-requests' }),
      aRecord({ eventTime: '2026-11-20T09:03:00Z', eventSource: 'ec2.amazonaws.com', sourceIPAddress: '198.51.100.1', userAgent: 'python-requests' }),
      aRecord({ eventTime: '2026-11-20T09:02:00Z', eventSource: 'ec2.amazonaws.com', sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2.15.0' }),
    );

    const result = await run();

    expect(result).toMatchObject({
      firstSeen: '2026-11-20T09:01:00.000Z',
      lastSeen: '2026-11-20T09:03:00.000Z',
      byService: { 'ec2.amazonaws.com': 2, 'sts.amazonaws.com': 1 },
      sourceIps: [{ value: '198.51.100.1', count: 2 }, { value: '203.0.113.9', count: 1 }],
      userAgents: [{ value: 'python-requests', count: 2 }, { value: 'aws-cli/2.15.0', count: 1 }],
    });
  });

  it('reports no activity, without firstSeen or lastSeen, when the key did nothing', async () => {
    const result = await run();

    expect(result.eventCount).toBe(0);
    expect(result).not.toHaveProperty('firstSeen');
    expect(result).not.toHaveProperty('lastSeen');
    expect(result.notable).toEqual([]);
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
  it('stops paging at the deadline before the Lambda time limit, keeping what it found and saying so', async () => {
    trail.add(...Array.from({ length: 120 }, () => aRecord({ userName: undefined })));
    const d = deps();
    let pagesBeforeDeadline = 2;
    // Time passes: the deadline (read once before each page) is behind us after two pages.
    const result = await run(anIncident(), {
      ...d,
      get deadline() {
        return pagesBeforeDeadline-- > 0 ? Date.now() + 60_000 : Date.now() - 1;
      },
    });

    expect(result.pages).toBe(2);
    expect(result.eventCount).toBe(100);
    expect(result.failures).toEqual([
      expect.objectContaining({ what: 'cloudtrail:LookupEvents us-east-1', error: expect.stringContaining('stopped before the Lambda time limit') }),
    ]);
    expect(activityLines()).toHaveLength(100);
  });

  it('spaces the calls in one region at least 500 ms apart', async () => {
    trail.add(...Array.from({ length: 120 }, () => aRecord({ userName: undefined })));
    const d = deps();

    await run(anIncident(), d);

    expect(trail.calls).toHaveLength(4); // 3 pages by key, 1 by user name
    expect(d.sleep.mock.calls).toEqual([[500], [500], [500]]);
  });

  it('backs off 1 s then 2 s on ThrottlingException and then carries on', async () => {
    trail.add(aRecord({ eventId: 'after-throttling' }));
    trail.failNext('us-east-1', throttling(), throttling());
    const d = deps();

    const result = await run(anIncident(), d);

    expect(d.sleep.mock.calls).toEqual([[1000], [2000], [500]]);
    expect(trail.calls).toHaveLength(4);
    expect(result.eventCount).toBe(1);
    expect(result.failures).toEqual([]);
  });

  it('records a region that keeps throttling after 5 attempts and reports the other regions', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(aRecord({ eventId: 'home', region: 'us-east-1' }), aRecord({ eventId: 'lost', region: 'eu-west-1' }));
    trail.failAlways('eu-west-1', throttling);
    const d = deps();

    const result = await run(anIncident(), d);

    expect(trail.callsIn('eu-west-1')).toHaveLength(5);
    expect(d.sleep.mock.calls.map(([ms]) => ms).filter((ms) => ms >= 1000)).toEqual([1000, 2000, 4000, 8000]);
    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents eu-west-1',
        error: "ThrottlingException: Rate exceeded (gave up after 5 attempts) (lookup by AccessKeyId, after 0 page(s)): eu-west-1's activity is incomplete, 0 event(s) of it kept",
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
    const d = deps();

    const result = await run(anIncident(), d);

    expect(trail.callsIn('eu-west-1')).toHaveLength(2);
    expect(d.sleep.mock.calls).toEqual([[500], [500]]); // one spacing per region, no backoff
    expect(result.failures).toEqual([
      {
        what: 'cloudtrail:LookupEvents eu-west-1',
        error: "AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents (lookup by Username, after 0 page(s)): eu-west-1's activity is incomplete, 1 event(s) of it kept",
      },
    ]);
    expect(result.byRegion).toEqual({ 'eu-west-1': 1 });
  });

  it('searches the regions side by side, not one after the other', async () => {
    enabledRegions('us-east-1', 'eu-west-1', 'ap-southeast-2');
    const waiting: Array<() => void> = [];
    const d = deps();
    d.sleep.mockImplementation(() => new Promise<void>((resolve) => waiting.push(resolve)));
    let settled = false;

    const result = run(anIncident(), d).finally(() => {
      settled = true;
    });
    await flush();

    // Each region made its first call and now waits its 500 ms: none waited for another.
    expect(trail.calls.map((c) => c.region).sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    expect(waiting).toHaveLength(3);
    while (!settled) {
      waiting.splice(0).forEach((resolve) => resolve());
      await flush();
    }
    await expect(result).resolves.toMatchObject({ pages: 6 });
  });
});

describe('investigate: notable events', () => {
  it('lists every kind of notable call with a one-line summary, failed attempts with their error', async () => {
    trail.add(
      aRecord({
        eventTime: '2026-11-20T09:00:01Z',
        region: 'eu-west-1',
        eventName: 'RunInstances',
        requestParameters: { instanceType: 'p3.16xlarge' },
        responseElements: { instancesSet: { items: [{ instanceId: 'i-0abc' }, { instanceId: 'i-0def' }] } },
      }),
      aRecord({ eventTime: '2026-11-20T09:00:02Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'backdoor' } }),
      aRecord({
        eventTime: '2026-11-20T09:00:03Z',
        eventSource: 'iam.amazonaws.com',
        eventName: 'AttachUserPolicy',
        requestParameters: { userName: 'backdoor', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      }),
      aRecord({
        eventTime: '2026-11-20T09:00:04Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetSessionToken',
        errorCode: 'AccessDenied',
        sourceIPAddress: '198.51.100.66',
      }),
      aRecord({ eventTime: '2026-11-20T09:00:05Z', eventName: 'DescribeInstances' }),
    );
    enabledRegions('us-east-1', 'eu-west-1');

    const result = await run();

    expect(result.notable).toEqual([
      {
        eventTime: '2026-11-20T09:00:01.000Z',
        region: 'eu-west-1',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        accessKeyId: KEY_ID,
        sourceIp: '203.0.113.7',
        summary: 'RunInstances i-0abc, i-0def in eu-west-1',
      },
      expect.objectContaining({ eventName: 'CreateUser', summary: 'CreateUser backdoor in us-east-1' }),
      expect.objectContaining({
        eventName: 'AttachUserPolicy',
        summary: 'AttachUserPolicy arn:aws:iam::aws:policy/AdministratorAccess to user backdoor in us-east-1',
      }),
      expect.objectContaining({
        eventName: 'GetSessionToken',
        errorCode: 'AccessDenied',
        sourceIp: '198.51.100.66',
        summary: 'GetSessionToken in us-east-1 (failed: AccessDenied)',
      }),
    ]);
  });

  it('flags an S3 CopyObject with a customer-provided key (SSE-C ransom), not an ordinary PutObject', async () => {
    trail.add(
      aRecord({
        eventSource: 's3.amazonaws.com',
        eventName: 'CopyObject',
        requestParameters: { bucketName: 'prod-data', key: 'db.dump', 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
      }),
      aRecord({ eventSource: 's3.amazonaws.com', eventName: 'PutObject', requestParameters: { bucketName: 'prod-data', key: 'ok.txt' } }),
    );

    const result = await run();

    expect(result.notable.map((n) => n.summary)).toEqual([
      'CopyObject with a customer-provided key (SSE-C, possible ransom) to prod-data/db.dump in us-east-1',
    ]);
  });

  it('exports the notable event names it looks for', () => {
    expect(NOTABLE_EVENT_NAMES).toEqual(
      expect.arrayContaining(['CreateUser', 'CreateAccessKey', 'AssumeRole', 'RunInstances', 'StopLogging', 'DeleteDetector', 'AuthorizeSecurityGroupIngress']),
    );
    expect(NOTABLE_EVENT_NAMES).toHaveLength(30);
  });
});

describe('investigate: what the key left behind', () => {
  it('collects users, keys, login profiles, roles, policies and instances per region from calls that succeeded', async () => {
    enabledRegions('us-east-1', 'eu-west-1', 'us-west-2');
    const iamEvent = (eventName: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown> | null = null, errorCode?: string) =>
      aRecord({ eventSource: 'iam.amazonaws.com', eventName, requestParameters, responseElements, errorCode });
    trail.add(
      iamEvent('CreateUser', { userName: 'backdoor' }),
      iamEvent('CreateUser', { userName: 'denied-user' }, null, 'AccessDenied'),
      iamEvent('CreateAccessKey', { userName: 'backdoor' }, { accessKey: { userName: 'backdoor', accessKeyId: 'AKIABACKDOORKEY00001', status: 'Active' } }),
      iamEvent('CreateAccessKey', {}, { accessKey: { accessKeyId: 'AKIASELFKEY000000001', status: 'Active' } }),
      iamEvent('CreateLoginProfile', { userName: 'backdoor', passwordResetRequired: false }),
      iamEvent('CreateRole', { roleName: 'maintenance', assumeRolePolicyDocument: '{}' }),
      iamEvent('CreatePolicy', { policyName: 'admin-ish' }, { policy: { arn: `arn:aws:iam::${ACCOUNT_ID}:policy/admin-ish`, policyName: 'admin-ish' } }),
      iamEvent('CreatePolicy', { policyName: 'no-response' }),
      aRecord({
        region: 'eu-west-1',
        eventName: 'RunInstances',
        responseElements: { instancesSet: { items: [{ instanceId: 'i-0bbb' }, { instanceId: 'i-0aaa' }] } },
      }),
      aRecord({ region: 'eu-west-1', eventName: 'RunInstances', errorCode: 'UnauthorizedOperation', responseElements: null }),
      aRecord({ region: 'us-west-2', eventName: 'StartInstances', requestParameters: { instancesSet: { items: [{ instanceId: 'i-0ccc' }] } } }),
      aRecord({ region: 'eu-west-1', eventName: 'StartInstances', requestParameters: { instancesSet: { items: [{ instanceId: 'i-0aaa' }] } } }),
      // Another service's CreateUser (Transfer Family) is no IAM user.
      aRecord({ eventSource: 'transfer.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'sftp-user' } }),
    );

    const result = await run();

    expect(result.leftBehind).toEqual({
      users: ['backdoor'],
      accessKeys: [
        { userName: 'backdoor', accessKeyId: 'AKIABACKDOORKEY00001' },
        { userName: 'ci-deploy', accessKeyId: 'AKIASELFKEY000000001' },
      ],
      loginProfiles: ['backdoor'],
      roles: ['maintenance'],
      policies: [`arn:aws:iam::${ACCOUNT_ID}:policy/admin-ish`, 'no-response'],
      instances: [
        { region: 'eu-west-1', instanceId: 'i-0aaa', via: 'RunInstances' },
        { region: 'eu-west-1', instanceId: 'i-0bbb', via: 'RunInstances' },
        { region: 'us-west-2', instanceId: 'i-0ccc', via: 'StartInstances' },
      ],
    });
  });
});

describe('investigate: what the key can do', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const OURS = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/ExposedKeyResponder-Quarantine-ABC`;
  const AWS_QUARANTINE = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3';
  const S3_READ = `arn:aws:iam::${ACCOUNT_ID}:policy/s3-read`;
  const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

  function userWithPolicies(): void {
    iam.on(ListAttachedUserPoliciesCommand).resolvesOnce({
      AttachedPolicies: [{ PolicyName: 'ExposedKeyResponder-Quarantine-ABC', PolicyArn: OURS }, { PolicyName: 'AWSCompromisedKeyQuarantineV3', PolicyArn: AWS_QUARANTINE }],
      IsTruncated: true,
      Marker: 'm1',
    }).resolvesOnce({ AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }], IsTruncated: false });
    iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: [REVOKE_SESSIONS_POLICY_NAME, 'deploy-inline'], IsTruncated: false });
    iam.on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'readers', GroupId: 'AGPA1', Arn: 'arn', Path: '/', CreateDate: new Date() }] });
    iam.on(ListAttachedGroupPoliciesCommand, { GroupName: 'readers' }).resolves({ AttachedPolicies: [{ PolicyName: 's3-read', PolicyArn: S3_READ }] });
    iam.on(ListGroupPoliciesCommand, { GroupName: 'readers' }).resolves({ PolicyNames: ['group-inline'] });
    iam.on(GetPolicyCommand).callsFake(({ PolicyArn }) => ({ Policy: { Arn: PolicyArn, DefaultVersionId: 'v3' } }));
    iam.on(GetPolicyVersionCommand, { PolicyArn: ADMIN }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('*')) } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: S3_READ }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('s3:GetObject')) } });
    iam.on(GetUserPolicyCommand, { PolicyName: 'deploy-inline' }).resolves({ PolicyDocument: encodeURIComponent(doc('lambda:CreateFunction')) });
    iam.on(GetGroupPolicyCommand, { GroupName: 'readers', PolicyName: 'group-inline' }).resolves({ PolicyDocument: encodeURIComponent(doc('kms:Decrypt')) });
  }

  it('lists the user\'s attached, inline and group policies, every page', async () => {
    userWithPolicies();

    const result = await run();

    expect(result.reach).toMatchObject({
      attachedPolicies: [OURS, AWS_QUARANTINE, ADMIN],
      inlinePolicies: [REVOKE_SESSIONS_POLICY_NAME, 'deploy-inline'],
      groups: [{ groupName: 'readers', attachedPolicies: [S3_READ], inlinePolicies: ['group-inline'] }],
    });
    expect(iam.commandCalls(ListAttachedUserPoliciesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm1']);
  });

  it('simulates the high-risk actions on the user as it is now, by its real ARN', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).callsFake(simulationAnswer(['s3:GetObject'], 'explicitDeny'));

    const result = await run();

    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, { PolicySourceArn: USER_ARN, ActionNames: [...HIGH_RISK_ACTIONS] });
    expect(result.reach.allowedHighRisk).toEqual(['s3:GetObject']);
    expect(result.reach.deniedHighRisk).toEqual(HIGH_RISK_ACTIONS.filter((a) => a !== 's3:GetObject'));
  });

  it('simulates what the user\'s own policies allowed before containment, without ours or AWS\'s quarantine', async () => {
    userWithPolicies();
    iam.on(SimulateCustomPolicyCommand).callsFake(simulationAnswer(HIGH_RISK_ACTIONS));

    const result = await run();

    const input = iam.commandCalls(SimulateCustomPolicyCommand)[0].args[0].input;
    expect(input.PolicyInputList).toEqual([doc('*'), doc('s3:GetObject'), doc('lambda:CreateFunction'), doc('kms:Decrypt')]);
    expect(input.ActionNames).toEqual([...HIGH_RISK_ACTIONS]);
    expect(iam).not.toHaveReceivedCommandWith(GetPolicyCommand, { PolicyArn: OURS });
    expect(iam).not.toHaveReceivedCommandWith(GetPolicyCommand, { PolicyArn: AWS_QUARANTINE });
    expect(iam).not.toHaveReceivedCommandWith(GetUserPolicyCommand, { PolicyName: REVOKE_SESSIONS_POLICY_NAME });
    expect(result.reach.allowedBeforeContainment).toEqual([...HIGH_RISK_ACTIONS]);
  });

  it('keeps the user\'s permissions boundary in the simulation before containment', async () => {
    userWithPolicies();
    const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/boundary`;
    iam.on(GetUserCommand).resolves({ User: { UserName: 'ci-deploy', UserId: 'x', Arn: USER_ARN, Path: '/ci/', CreateDate: new Date(), PermissionsBoundary: { PermissionsBoundaryArn: BOUNDARY, PermissionsBoundaryType: 'PermissionsBoundaryPolicy' } } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: BOUNDARY }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('s3:*')) } });

    await run();

    expect(iam).toHaveReceivedCommandWith(SimulateCustomPolicyCommand, { PermissionsBoundaryPolicyInputList: [doc('s3:*')] });
  });

  it('records a simulation it may not run and still reports the rest', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied', 'not authorized to perform: iam:SimulatePrincipalPolicy', 403));
    trail.add(aRecord());

    const result = await run();

    expect(result.failures).toEqual([{ what: 'iam:SimulatePrincipalPolicy', error: 'AccessDenied: not authorized to perform: iam:SimulatePrincipalPolicy' }]);
    expect(result.reach.allowedHighRisk).toEqual([]);
    expect(result.reach.attachedPolicies).toHaveLength(3);
    expect(result.eventCount).toBe(1);
  });

  it('gives no answer before containment, rather than a wrong one, when a policy document cannot be read', async () => {
    userWithPolicies();
    iam.on(GetUserPolicyCommand, { PolicyName: 'deploy-inline' }).rejects(awsError('AccessDenied', 'denied', 403));

    const result = await run();

    expect(result.reach).not.toHaveProperty('allowedBeforeContainment');
    expect(iam).not.toHaveReceivedCommand(SimulateCustomPolicyCommand);
    expect(result.failures).toEqual([{ what: 'iam:GetUserPolicy deploy-inline', error: 'AccessDenied: denied' }]);
  });

  it('backs off when IAM throttles and then answers', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded')).callsFake(simulationAnswer(['iam:CreateUser']));
    const d = deps();

    const result = await run(anIncident(), d);

    expect(d.sleep).toHaveBeenCalledWith(1000);
    expect(result.reach.allowedHighRisk).toEqual(['iam:CreateUser']);
    expect(result.failures).toEqual([]);
  });
});

describe('investigate: the root user', () => {
  it('searches by key id only and simulates nothing, saying why', async () => {
    trail.add(aRecord({ userName: 'root' }));

    const result = await run(anIncident({ userName: 'root', principalType: 'root' }));

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([[{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }]]);
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.reach).toEqual({ attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] });
    expect(result.failures).toEqual([{ what: 'reach', error: expect.stringContaining('root user') }]);
    expect(result.eventCount).toBe(1);
  });
});

describe('investigate: the full activity', () => {
  it('writes every event as one JSON line, with its region, to incidents/<incidentId>/activity.jsonl', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(
      aRecord({ eventId: 'a', region: 'eu-west-1', eventTime: '2026-11-20T09:00:02Z' }),
      aRecord({ eventId: 'b', region: 'us-east-1', eventTime: '2026-11-20T09:00:01Z' }),
      aRecord({ eventId: 'c', region: 'us-east-1', eventTime: '2026-11-20T09:00:03Z', accessKeyId: SESSION_KEY }),
    );

    const result = await run();

    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: ACTIVITY_KEY, ContentType: 'application/x-ndjson' });
    const body = String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body);
    expect(body.endsWith('\n')).toBe(true);
    expect(body.trimEnd().split('\n')).toHaveLength(3);
    expect(activityLines().map((l) => [l.eventID, l.region, l.awsRegion, l.userIdentity.accessKeyId])).toEqual([
      ['b', 'us-east-1', 'us-east-1', KEY_ID],
      ['a', 'eu-west-1', 'eu-west-1', KEY_ID],
      ['c', 'us-east-1', 'us-east-1', SESSION_KEY],
    ]);
    expect(result.activityObject).toBe(`s3://${BUCKET}/${ACTIVITY_KEY}`);
  });

  it('records an S3 failure and still returns the investigation', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }));
    trail.add(aRecord());

    const result = await run();

    expect(result).not.toHaveProperty('activityObject');
    expect(result.failures).toEqual([
      { what: `s3:PutObject s3://${BUCKET}/${ACTIVITY_KEY}`, error: 'AccessDenied: Access Denied: the full activity (1 event(s)) was not saved' },
    ]);
    expect(result.eventCount).toBe(1);
  });

  it('says dryRun and behaves the same: it only reads, and saves the activity', async () => {
    trail.add(aRecord());

    const result = await run(anIncident(), deps({ dryRun: true }));

    expect(result.dryRun).toBe(true);
    expect(result.eventCount).toBe(1);
    expect(s3).toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('investigate: output size', () => {
  it('stays far under the 256 KB Step Functions limit with 5,000 events, the caps said in truncated (not failures)', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    const kinds = ['RunInstances', 'CreateUser', 'CreateAccessKey', 'AssumeRole', 'DescribeInstances'];
    trail.add(
      ...Array.from({ length: 5000 }, (_, i) => {
        const eventName = kinds[i % kinds.length];
        const eventSource = eventName === 'RunInstances' || eventName === 'DescribeInstances' ? 'ec2.amazonaws.com' : eventName === 'AssumeRole' ? 'sts.amazonaws.com' : 'iam.amazonaws.com';
        return aRecord({
          region: i % 2 ? 'eu-west-1' : 'us-east-1',
          eventSource,
          eventName,
          sourceIPAddress: `198.51.${i % 200}.${i % 250}`,
          userAgent: `attacker-tool/${i} ${'x'.repeat(500)}`,
          requestParameters: { userName: `user-${i}`, roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${'r'.repeat(60)}-${i}` },
          responseElements: { instancesSet: { items: [{ instanceId: `i-${String(i).padStart(17, '0')}` }] }, accessKey: { accessKeyId: `AKIA${String(i).padStart(16, '0')}`, userName: `user-${i}` } },
        });
      }),
    );

    const result = await run();

    const size = Buffer.byteLength(JSON.stringify(result));
    expect(size).toBeLessThan(100 * 1024);
    expect(result.eventCount).toBe(5000);
    expect(result.pages).toBe(200);
    expect(result.notable).toHaveLength(50);
    expect(new Set(result.notable.map((n) => n.eventName))).toEqual(new Set(['RunInstances', 'CreateUser', 'CreateAccessKey', 'AssumeRole']));
    expect(result.sourceIps).toHaveLength(10);
    expect(result.userAgents).toHaveLength(10);
    expect(result.userAgents.every((a) => a.value.length <= 200)).toBe(true);
    expect(result.leftBehind.instances).toHaveLength(200);
    expect(result.leftBehind.users).toHaveLength(100);
    expect(result.truncated.map((t) => t.split(':')[0])).toEqual(['notable', 'leftBehind.users', 'leftBehind.accessKeys', 'leftBehind.instances']);
    expect(result.failures).toEqual([]);
    expect(activityLines()).toHaveLength(5000);
    expect(InvestigationSchema.safeParse(result).success).toBe(true);
  });
});

/** Lets every pending promise callback and timer-free continuation run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
