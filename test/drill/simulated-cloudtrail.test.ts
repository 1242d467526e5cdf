// The drill's LookupEvents (drill/simulated-cloudtrail.ts), as the API answers it, over scenario
// records as captured and over the flat shortcut.
import { Drill } from '../../drill/run-drill';
import { parseScenario } from '../../drill/scenario';
import { SimulatedAccount } from '../../drill/simulated-account';
import { capturedRecords, FILES } from '../fixtures/cloudtrail/records';

type Events = { Events: Array<Record<string, any>>; NextToken?: string };

function account(cloudTrail: unknown[], regions = ['us-east-1']): SimulatedAccount {
  return new SimulatedAccount(parseScenario({ accountId: '900138736586', regions, cloudTrail }));
}

const lookup = (a: SimulatedAccount, region: string, input: Record<string, unknown> = {}) => a.call('cloudtrail', 'LookupEvents', input, region) as Events;
const byKey = (value: string) => ({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: value }] });

describe('simulated LookupEvents: records as captured', () => {
  const records = capturedRecords(FILES.assumeRoleThenDenied);

  it('answers the API\'s fields, the session name as Username of an AssumedRole call, and the record itself as CloudTrailEvent', () => {
    const out = lookup(account(records), 'ca-south-3r', byKey('ASIA9F6MXE9HSYOXYQOS'));

    expect(out.Events).toEqual([
      {
        EventId: '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7',
        EventName: 'RunInstances',
        ReadOnly: 'false',
        AccessKeyId: 'ASIA9F6MXE9HSYOXYQOS',
        EventTime: new Date('2024-08-01T11:30:23Z'),
        EventSource: 'ec2.amazonaws.com',
        Username: 'aws-go-sdk-1722511821294449000',
        Resources: [],
        CloudTrailEvent: JSON.stringify(records[0]),
      },
    ]);
  });

  it('answers the IAM user\'s name, ReadOnly "true" and the record\'s resources for an IAMUser AssumeRole', () => {
    const out = lookup(account(records), 'ca-south-3r', { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'christophe' }] });

    expect(out.Events.map((e) => [e.EventName, e.ReadOnly, e.Username, e.Resources])).toEqual([
      ['AssumeRole', 'true', 'christophe', [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd' }]],
      ['AssumeRole', 'true', 'christophe', [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd' }]],
    ]);
  });

  it('answers a FederatedUser call with the federated user\'s name', () => {
    const out = lookup(account(capturedRecords(FILES.federation)), 'ap-isob-east-1r', byKey('ASIASTJKC5GCM7ZE6LUP'));

    expect(out.Events.map((e) => [e.EventName, e.Username])).toEqual([['GetCallerIdentity', 'stratus_red_team']]);
  });

  it('answers "root" as the Username of a root user call, and no Username for an AWS service', () => {
    const [record] = capturedRecords(FILES.adminUser);
    const root = { ...record, eventID: 'root-1', userIdentity: { type: 'Root', principalId: '229654561268', arn: 'arn:aws:iam::229654561268:root', accountId: '229654561268', accessKeyId: 'AKIAROOTKEY000000001' } };
    const service = { ...record, eventID: 'svc-1', userIdentity: { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' } };

    const out = lookup(account([root, service]), 'ap-isob-central-3r');

    expect(out.Events.map((e) => [e.EventId, e.Username, e.AccessKeyId])).toEqual([['root-1', 'root', 'AKIAROOTKEY000000001'], ['svc-1', undefined, undefined]]);
  });

  it('serves a record in its own region only (awsRegion), never in us-east-1 by default', () => {
    const a = account(records);

    expect(lookup(a, 'us-east-1').Events).toEqual([]);
    expect(lookup(a, 'ca-south-3r').Events).toHaveLength(3);
  });

  it('filters by the other lookup attributes: EventName as written, ReadOnly, ResourceType, EventSource', () => {
    // A new account for each call: LookupEvents allows 2 calls a second per region.
    const a = () => account([...records, ...capturedRecords(FILES.lambdaCode)]);

    expect(lookup(a(), 'ap-westeast-2r', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdateFunctionCode20150331v2' }] }).Events).toHaveLength(1);
    expect(lookup(a(), 'ca-south-3r', { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }).Events.map((e) => e.EventName)).toEqual(['RunInstances']);
    expect(lookup(a(), 'ca-south-3r', { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::IAM::Role' }] }).Events).toHaveLength(2);
    expect(lookup(a(), 'ca-south-3r', { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' }] }).Events).toHaveLength(2);
  });

  it('keeps StartTime and EndTime, newest first', () => {
    const out = lookup(account(records), 'ca-south-3r', { StartTime: new Date('2024-08-01T11:30:22Z'), EndTime: new Date('2024-08-01T11:30:22Z') });

    expect(out.Events.map((e) => e.EventId)).toEqual(['04c882a5-7652-40d1-b44c-83535fc19268']);
  });
});

describe('simulated LookupEvents: the API\'s rules', () => {
  const records = capturedRecords(FILES.startInstances);
  const region = 'ca-northsouth-2r';

  it('refuses more than one lookup attribute, or an unknown one, with InvalidLookupAttributesException', () => {
    const a = account(records);
    const two = { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAZI86ACIZ2J9CV86Z' }, { AttributeKey: 'EventName', AttributeValue: 'StartInstances' }] };

    expect(() => lookup(a, region, two)).toThrow(expect.objectContaining({ name: 'InvalidLookupAttributesException' }));
    expect(() => lookup(a, region, { LookupAttributes: [{ AttributeKey: 'UserName', AttributeValue: 'christophe' }] })).toThrow(expect.objectContaining({ name: 'InvalidLookupAttributesException' }));
  });

  it('pages MaxResults at a time with a NextToken, refuses a MaxResults above 50 and a token used with other parameters', () => {
    // A new account for each call: LookupEvents allows 2 calls a second per region.
    const a = () => account(records);

    const first = lookup(a(), region, { MaxResults: 30 });
    const second = lookup(a(), region, { MaxResults: 30, NextToken: first.NextToken });

    expect(first.Events).toHaveLength(30);
    expect(second.Events).toHaveLength(records.length - 30);
    expect(second.NextToken).toBeUndefined();
    expect(new Set([...first.Events, ...second.Events].map((e) => e.EventId)).size).toBe(records.length);
    expect(() => lookup(a(), region, { MaxResults: 51 })).toThrow(expect.objectContaining({ name: 'InvalidMaxResultsException' }));
    expect(() => lookup(a(), region, { ...byKey('AKIAZI86ACIZ2J9CV86Z'), NextToken: first.NextToken })).toThrow(expect.objectContaining({ name: 'InvalidNextTokenException' }));
  });

  it('refuses a StartTime after the EndTime with InvalidTimeRangeException', () => {
    expect(() => lookup(account(records), region, { StartTime: new Date('2024-08-02T00:00:00Z'), EndTime: new Date('2024-08-01T00:00:00Z') })).toThrow(
      expect.objectContaining({ name: 'InvalidTimeRangeException' }),
    );
  });

  it('never returns a data event (S3 object calls), captured or flat, and lists them as such', () => {
    const captured = { ...capturedRecords(FILES.adminUser)[0], eventID: 'data-1', eventSource: 's3.amazonaws.com', eventName: 'CopyObject', managementEvent: false, eventCategory: 'Data', awsRegion: 'us-east-1' };
    const flat = { eventTime: '2026-11-20T09:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'PutObject', accessKeyId: 'AKIAEXPOSEDKEY000001' };
    const a = account([captured, flat]);

    expect(lookup(a, 'us-east-1').Events).toEqual([]);
    expect(a.trailNotes()).toEqual([
      "2 data event(s) of the scenario's cloudTrail (s3:CopyObject, s3:PutObject) are ignored: LookupEvents returns management events only, so the responder cannot see them (they are only in CloudTrail Lake or a trail's own logs)",
    ]);
  });

  it('is said once by the drill, on its progress lines (stderr)', () => {
    const lines: string[] = [];
    const flat = { eventTime: '2026-11-20T09:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'PutObject', accessKeyId: 'AKIAEXPOSEDKEY000001' };

    const drill = new Drill({ cloudTrail: [flat, flat] }, [], { dryRun: false, protectedUsers: [], lookbackDays: 14 }, { progress: (line) => lines.push(line) });
    drill.close();

    expect(lines.filter((l) => l.includes('data event'))).toEqual([
      "note: 2 data event(s) of the scenario's cloudTrail (s3:PutObject) are ignored: LookupEvents returns management events only, so the responder cannot see them (they are only in CloudTrail Lake or a trail's own logs)",
    ]);
  });

  it('says which records are in regions the scenario does not enable (the investigation would never search them)', () => {
    const a = account(capturedRecords(FILES.assumeRoleThenDenied), ['us-east-1', 'eu-west-1']);

    expect(a.trailNotes()).toEqual([
      "3 record(s) of the scenario's cloudTrail are in regions it does not enable (ca-south-3r; its regions: us-east-1, eu-west-1): the investigation searches enabled regions only, so it will not see them",
    ]);
    expect(account(capturedRecords(FILES.assumeRoleThenDenied), ['us-east-1', 'ca-south-3r']).trailNotes()).toEqual([]);
  });

  it('says which records are older than the investigation\'s lookback', () => {
    const a = account(capturedRecords(FILES.assumeRoleThenDenied), ['ca-south-3r']);

    expect(a.trailNotes(14)).toEqual([expect.stringMatching(/^3 record\(s\) of the scenario's cloudTrail are older than the investigation's lookback \(14 days, since \S+\): it will not see them; move their eventTime closer to now to replay them$/)]);
  });
});

describe('simulated LookupEvents: the flat shortcut', () => {
  it('serves a flat entry as the record CloudTrail would have written, built once', () => {
    const a = account([{ eventId: 'e1', eventTime: '2026-11-20T09:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', accessKeyId: 'AKIAEXPOSEDKEY000001', userName: 'ci-deploy' }]);

    const [event] = lookup(a, 'us-east-1').Events;

    expect(event).toMatchObject({ EventId: 'e1', ReadOnly: 'true', AccessKeyId: 'AKIAEXPOSEDKEY000001', Username: 'ci-deploy' });
    expect(JSON.parse(event.CloudTrailEvent)).toEqual({
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::900138736586:user/ci-deploy', accountId: '900138736586', accessKeyId: 'AKIAEXPOSEDKEY000001', userName: 'ci-deploy' },
      eventTime: '2026-11-20T09:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      awsRegion: 'us-east-1',
      requestParameters: null,
      responseElements: null,
      eventID: 'e1',
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '900138736586',
      eventCategory: 'Management',
    });
    expect(lookup(a, 'us-east-1').Events[0].CloudTrailEvent).toBe(event.CloudTrailEvent);
  });
});

describe('scenario cloudTrail entries', () => {
  const flat = { eventTime: '2026-11-20T09:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' };

  it('accepts every published record as captured', () => {
    for (const file of Object.values(FILES)) expect(() => parseScenario({ cloudTrail: capturedRecords(file) })).not.toThrow();
  });

  it.each([
    ['a captured record without its eventVersion', 1, (r: Record<string, unknown>) => { const { eventVersion: _, ...rest } = r; return rest; }, 'cloudTrail.1.eventVersion: read as a CloudTrail record (it has eventID, awsRegion)'],
    ['a captured record whose userIdentity has no type', 0, (r: Record<string, any>) => ({ ...r, userIdentity: { accessKeyId: 'AKIA' } }), 'cloudTrail.0.userIdentity.type: read as a CloudTrail record'],
    ['a captured record with a time CloudTrail never writes', 0, (r: Record<string, unknown>) => ({ ...r, eventTime: 'yesterday' }), 'cloudTrail.0.eventTime: read as a CloudTrail record'],
  ])('refuses %s, naming the entry and why', (_what, index, change, message) => {
    const records = capturedRecords(FILES.adminUser);
    records[index] = change(records[index]);

    expect(() => parseScenario({ cloudTrail: records })).toThrow(message);
  });

  it('refuses a flat entry with a field the shortcut does not read, rather than dropping it', () => {
    expect(() => parseScenario({ cloudTrail: [flat, { ...flat, aws_region: 'eu-west-1' }] })).toThrow(
      'cloudTrail.1: read as the flat shortcut (no eventVersion, eventID, awsRegion: not a CloudTrail record): Unrecognized key: "aws_region"',
    );
  });

  it('refuses a flat entry whose accessKeyId or userName says otherwise than its userIdentity', () => {
    const session = { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/deploy/x', accessKeyId: 'ASIAROLESESSION00001' };

    expect(() => parseScenario({ cloudTrail: [{ ...flat, userIdentity: session, accessKeyId: 'AKIAEXPOSEDKEY000001' }] })).toThrow('cloudTrail.0.accessKeyId: read as the flat shortcut (no eventVersion, eventID, awsRegion: not a CloudTrail record): accessKeyId is not the key of its userIdentity');
    expect(() => parseScenario({ cloudTrail: [{ ...flat, userIdentity: session, userName: 'ci-deploy' }] })).toThrow('cloudTrail.0.userName: read as the flat shortcut');
    expect(() => parseScenario({ cloudTrail: [{ ...flat, userIdentity: session, accessKeyId: 'ASIAROLESESSION00001' }] })).not.toThrow();
  });

  it('refuses an entry that is not an object', () => {
    expect(() => parseScenario({ cloudTrail: [flat, 'CreateUser'] })).toThrow('cloudTrail.1:');
  });
});
