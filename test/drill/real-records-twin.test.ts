// A scenario of published CloudTrail records as captured (test/fixtures/cloudtrail) against its
// hand-flattened twin (the flat shortcut, written out by hand from the same records): the
// investigation and the footholds step must find the same things in both.
import { shiftTimes } from '../../drill/cli';
import { ScenarioInput } from '../../drill/scenario';
import { Incident } from '../../lambdas/shared/incident';
import { capturedRecords, FILES } from '../fixtures/cloudtrail/records';
import { followIncident } from './follow';

interface Case {
  readonly file: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly userName: string;
  readonly region: string;
  /** The account before the incident: the users and roles the records name. */
  readonly account: Pick<ScenarioInput, 'users' | 'roles'>;
  /** The same records, flattened by hand. */
  readonly twin: Array<Record<string, unknown>>;
}

const ADMIN_USER: Case = {
  file: FILES.adminUser,
  accountId: '229654561268',
  accessKeyId: 'AKIAOZUDECYXYM4ONAN4',
  userName: 'christophe',
  region: 'ap-isob-central-3r',
  account: {
    users: [
      { userName: 'christophe', accessKeys: [{ accessKeyId: 'AKIAOZUDECYXYM4ONAN4' }] },
      { userName: 'malicious-iam-user', accessKeys: [{ accessKeyId: 'AKIAXAFZN8JEPF6L682H' }], attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    ],
  },
  twin: [
    {
      region: 'ap-isob-central-3r', eventId: '3346344c-5a3e-429e-8405-420f98f75d6e', eventTime: '2024-08-01T13:33:28Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser',
      accessKeyId: 'AKIAOZUDECYXYM4ONAN4', userName: 'christophe', sourceIPAddress: '075.050.255.67', userAgent: 'stratus-red-team_6bf00313-712c-4fd2-9bdd-88f48a4b1282',
      requestParameters: { tags: [{ key: 'StratusRedTeam', value: 'true' }], userName: 'malicious-iam-user' },
      responseElements: { user: { path: '/', userName: 'malicious-iam-user' } },
    },
    {
      region: 'ap-isob-central-3r', eventId: '94faedcc-0fa4-46e6-9322-022e8e934f04', eventTime: '2024-08-01T13:33:28Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey',
      accessKeyId: 'AKIAOZUDECYXYM4ONAN4', userName: 'christophe', sourceIPAddress: '075.050.255.67', userAgent: 'stratus-red-team_6bf00313-712c-4fd2-9bdd-88f48a4b1282',
      requestParameters: { userName: 'malicious-iam-user' },
      responseElements: { accessKey: { accessKeyId: 'AKIAXAFZN8JEPF6L682H', status: 'Active', userName: 'malicious-iam-user' } },
    },
    {
      region: 'ap-isob-central-3r', eventId: '083dc4ad-e264-46bc-a407-d0dd31b58bdc', eventTime: '2024-08-01T13:33:28Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy',
      accessKeyId: 'AKIAOZUDECYXYM4ONAN4', userName: 'christophe', sourceIPAddress: '075.050.255.67', userAgent: 'stratus-red-team_6bf00313-712c-4fd2-9bdd-88f48a4b1282',
      requestParameters: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', userName: 'malicious-iam-user' },
    },
  ],
};

const ROLE_SESSIONS: Case = {
  file: FILES.assumeRoleThenDenied,
  accountId: '900138736586',
  accessKeyId: 'AKIAR7ISFR69YWROPYAN',
  userName: 'christophe',
  region: 'ca-south-3r',
  account: {
    users: [{ userName: 'christophe', accessKeys: [{ accessKeyId: 'AKIAR7ISFR69YWROPYAN' }] }],
    roles: [{ roleName: 'stratus-red-team-ec2lui-role-idtzskbvtd' }],
  },
  twin: [
    {
      region: 'ca-south-3r', eventId: '9a6353be-6cb8-4a0c-ab85-a46dbd3a2b71', eventTime: '2024-08-01T11:30:21Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole',
      accessKeyId: 'AKIAR7ISFR69YWROPYAN', userName: 'christophe', sourceIPAddress: '06.237.252.245', userAgent: 'stratus-red-team_c8ff220a-7e52-429b-868f-d979123ed2d3',
      requestParameters: { roleArn: 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd', roleSessionName: 'aws-go-sdk-1722511821294449000' },
      responseElements: { credentials: { accessKeyId: 'ASIAYY9090UIYYUOIF2U' } },
    },
    {
      region: 'ca-south-3r', eventId: '04c882a5-7652-40d1-b44c-83535fc19268', eventTime: '2024-08-01T11:30:22Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole',
      accessKeyId: 'AKIAR7ISFR69YWROPYAN', userName: 'christophe', sourceIPAddress: '06.237.252.245', userAgent: 'stratus-red-team_c8ff220a-7e52-429b-868f-d979123ed2d3',
      requestParameters: { roleArn: 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd', roleSessionName: 'aws-go-sdk-1722511821294449000' },
      responseElements: { credentials: { accessKeyId: 'ASIA9F6MXE9HSYOXYQOS' } },
    },
    {
      region: 'ca-south-3r', eventId: '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7', eventTime: '2024-08-01T11:30:23Z', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::900138736586:assumed-role/stratus-red-team-ec2lui-role-idtzskbvtd/aws-go-sdk-1722511821294449000', accessKeyId: 'ASIA9F6MXE9HSYOXYQOS' },
      errorCode: 'Client.UnauthorizedOperation', sourceIPAddress: '06.237.252.245', userAgent: 'stratus-red-team_c8ff220a-7e52-429b-868f-d979123ed2d3',
      requestParameters: { instanceType: 'p2.xlarge', instancesSet: { items: [{ imageId: 'ami-aCBbfd13bdb1d1E4b', maxCount: 10, minCount: 1 }] } },
    },
  ],
};

/** The same shift for both scenarios of a case: their records' times move so that the last call was ten minutes ago (LookupEvents' window). */
const shifts = new Map<Case, number>();
function shiftOf(c: Case): number {
  if (!shifts.has(c)) shifts.set(c, Date.now() - 600_000 - Math.max(...capturedRecords(c.file).map((r) => Date.parse(r.eventTime))));
  return shifts.get(c)!;
}

/** Times of the run itself (the revoke time), which differ between two runs. */
const runTimes = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>'));

/** The findings of one scenario: what the investigation and the footholds step say, and the account after. */
async function findings(c: Case, cloudTrail: Array<Record<string, unknown>>) {
  const scenario = shiftTimes({ accountId: c.accountId, regions: ['us-east-1', c.region], ...c.account, cloudTrail }, shiftOf(c));
  const now = new Date().toISOString();
  const incident: Incident = {
    incidentId: `${c.accessKeyId}-twin`, source: 'manual', accountId: c.accountId, accessKeyId: c.accessKeyId, userName: c.userName,
    principalType: 'user', protectedPrincipal: false, detectedAt: now, dispatchedAt: now, detail: 'reported by hand',
  };
  const { investigation, contained, view } = await followIncident(scenario, incident);
  // The lookback window and the revoke time are the run's own moments; every record time is compared as it is.
  const { lookback: _lookback, ...found } = investigation;
  return { found, contained: runTimes(contained), view: runTimes(view) };
}

describe('records as captured and their hand-flattened twin', () => {
  it.each([
    ['the admin user an IAMUser key created (users, keys, policies)', ADMIN_USER],
    ['the role sessions a key assumed and their denied launch (AssumedRole, errorCode)', ROLE_SESSIONS],
  ])('give the same findings: %s', async (_what, c) => {
    const captured = await findings(c, capturedRecords(c.file));
    const twin = await findings(c, c.twin);

    expect(captured.found.eventCount).toBe(3);
    expect(twin).toEqual(captured);
  });

  it('find what the records say (not two empty results)', async () => {
    const admin = await findings(ADMIN_USER, capturedRecords(ADMIN_USER.file));
    const sessions = await findings(ROLE_SESSIONS, capturedRecords(ROLE_SESSIONS.file));

    expect(admin.found.leftBehind).toMatchObject({ users: ['malicious-iam-user'], accessKeys: [{ userName: 'malicious-iam-user', accessKeyId: 'AKIAXAFZN8JEPF6L682H' }] });
    expect(admin.view.users.find((u: { userName: string }) => u.userName === 'malicious-iam-user').accessKeys).toEqual([expect.objectContaining({ status: 'Inactive' })]);
    expect(sessions.found.footholds?.sessions.map((s: { accessKeyId: string }) => s.accessKeyId)).toEqual(['ASIAYY9090UIYYUOIF2U', 'ASIA9F6MXE9HSYOXYQOS']);
    expect(sessions.found.leftBehind.instances).toEqual([]);
    expect(Object.keys(sessions.view.roles[0].inlinePolicies)).toEqual(['AWSRevokeOlderSessions']);
  });
});
