// The activity in brief: counts, top values, notable events, what was left behind, output caps.
import 'aws-sdk-client-mock-jest';
import { InvestigationSchema } from '../../../lambdas/investigate/contract';
import { summarise } from '../../../lambdas/investigate/activity-summary';
import { NOTABLE_EVENT_NAMES } from '../../../lambdas/investigate/investigate';
import { ACCOUNT_ID, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';
import {
  activityLines,
  enabledRegions,
  resetAccount,
  run,
} from './harness';

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: the activity in brief', () => {
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

  const sseCopy = {
    eventSource: 's3.amazonaws.com',
    eventName: 'CopyObject',
    requestParameters: { bucketName: 'prod-data', key: 'db.dump', 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
  };

  it('never sees an S3 object write through LookupEvents: a data event, which LookupEvents does not return', async () => {
    trail.add(aRecord(sseCopy), aRecord({ eventSource: 's3.amazonaws.com', eventName: 'PutObject', requestParameters: { bucketName: 'prod-data', key: 'ok.txt' } }));

    const result = await run();

    expect(result.eventCount).toBe(0);
    expect(result.notable).toEqual([]);
  });

  it('flags an S3 CopyObject with a customer-provided key (SSE-C ransom) in a record that reaches it, not an ordinary PutObject', () => {
    const activity = (fields: Record<string, unknown>, eventId: string) => {
      const record = { ...aRecord(fields), eventID: eventId };
      return { eventId, region: 'us-east-1', eventTime: record.eventTime, eventSource: record.eventSource, eventName: record.eventName, record, line: JSON.stringify(record) };
    };

    const summary = summarise([
      activity(sseCopy, 'sse-c'),
      activity({ eventSource: 's3.amazonaws.com', eventName: 'PutObject', requestParameters: { bucketName: 'prod-data', key: 'ok.txt' } }, 'plain'),
    ]);

    expect(summary.notable.map((n) => n.summary)).toEqual([
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
