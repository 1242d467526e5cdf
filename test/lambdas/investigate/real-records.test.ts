// The investigation on records as CloudTrail wrote them (test/fixtures/cloudtrail/SOURCE.md),
// served unchanged by the fake (the drill's LookupEvents): what the key did, what it left behind,
// the sessions it obtained followed, failed calls never counted as done.
import 'aws-sdk-client-mock-jest';
import { capturedRecords, FILES } from '../../fixtures/cloudtrail/records';
import { anIncident } from '../helpers';
import { FakeCloudTrail } from './fake-cloudtrail';
import { deps, enabledRegions, resetAccount, run } from './harness';

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

/** The investigation of `file`'s records, an hour after the last one, for the key of `userName`. */
async function investigateFile(file: string, accessKeyId: string, userName: string, accountId: string) {
  const records = capturedRecords(file);
  const regions = [...new Set(records.map((r) => String(r.awsRegion)))];
  enabledRegions(...regions);
  trail.add(...records);
  const last = Math.max(...records.map((r) => Date.parse(r.eventTime)));
  return run(anIncident({ accessKeyId, userName, accountId }), { ...deps(), now: () => new Date(last + 3_600_000) });
}

describe('investigate: published CloudTrail records, as captured', () => {
  it('sees the user, access key and policy an IAMUser key made, in the region CloudTrail recorded them', async () => {
    const result = await investigateFile(FILES.adminUser, 'AKIAOZUDECYXYM4ONAN4', 'christophe', '229654561268');

    expect(result.eventCount).toBe(3);
    expect(result.byRegion).toEqual({ 'ap-isob-central-3r': 3 });
    expect(result.leftBehind.users).toEqual(['malicious-iam-user']);
    expect(result.leftBehind.accessKeys).toEqual([{ userName: 'malicious-iam-user', accessKeyId: 'AKIAXAFZN8JEPF6L682H' }]);
    expect(result.notable.map((n) => n.eventName).sort()).toEqual(['AttachUserPolicy', 'CreateAccessKey', 'CreateUser']);
    expect(result.failures).toEqual([]);
  });

  it('sees the login profile created, among the key\'s three calls (one of them failed)', async () => {
    const result = await investigateFile(FILES.loginProfile, 'AKIAE18PGYHCY2CYMTFK', 'christophe', '070411556318');

    expect(result.leftBehind.loginProfiles).toEqual(['stratus-red-team-login-profile-user']);
    expect(result.notable).toEqual([
      expect.objectContaining({ eventName: 'CreateLoginProfile', summary: 'CreateLoginProfile for user stratus-red-team-login-profile-user (no reset required) in ap-central-2r' }),
    ]);
    expect(result.eventCount).toBe(3);
  });

  it('sees the role created', async () => {
    const result = await investigateFile(FILES.backdoorRole, 'AKIA0W5KI69TY8X86BGT', 'christophe', '609418236337');

    expect(result.leftBehind.roles).toEqual(['stratus-red-team-malicious-iam-role']);
  });

  it('follows the AssumedRole session to its RunInstances, and never counts the denied launch as an instance', async () => {
    const result = await investigateFile(FILES.assumeRoleThenDenied, 'AKIAR7ISFR69YWROPYAN', 'christophe', '900138736586');

    expect(result.eventCount).toBe(3);
    expect(result.notable).toEqual(expect.arrayContaining([
      expect.objectContaining({ eventName: 'RunInstances', accessKeyId: 'ASIA9F6MXE9HSYOXYQOS', errorCode: 'Client.UnauthorizedOperation', summary: 'RunInstances p2.xlarge in ca-south-3r (failed: Client.UnauthorizedOperation)' }),
    ]));
    expect(result.leftBehind.instances).toEqual([]);
    expect(result.footholds?.sessions.map((s) => s.accessKeyId)).toEqual(['ASIAYY9090UIYYUOIF2U', 'ASIA9F6MXE9HSYOXYQOS']);
    expect(trail.callsIn('ca-south-3r').map((c) => c.LookupAttributes?.[0])).toEqual(expect.arrayContaining([
      { AttributeKey: 'AccessKeyId', AttributeValue: 'ASIA9F6MXE9HSYOXYQOS' },
    ]));
  });

  it('follows the FederatedUser session GetFederationToken returned', async () => {
    const result = await investigateFile(FILES.federation, 'AKIA6V1GNZTT65XQH36M', 'stratus-red-team-user-federation-user', '742491224508');

    expect(result.eventCount).toBe(2);
    expect(result.footholds?.sessions).toEqual([expect.objectContaining({ accessKeyId: 'ASIASTJKC5GCM7ZE6LUP', via: 'GetFederationToken' })]);
  });

  it('names a Lambda call by its API name: UpdateFunctionCode20150331v2 is the notable UpdateFunctionCode', async () => {
    const result = await investigateFile(FILES.lambdaCode, 'AKIAKHYV6FI4F4CJQMDV', 'christophe', '266106314375');

    expect(result.notable.map((n) => n.eventName)).toEqual(['UpdateFunctionCode']);
  });

  it('lists the instance the key started, by region', async () => {
    const result = await investigateFile(FILES.startInstances, 'AKIAZI86ACIZ2J9CV86Z', 'christophe', '193672423079');

    expect(result.leftBehind.instances).toEqual([{ region: 'ca-northsouth-2r', instanceId: 'i-DDd6c7B0e18F0E35f', via: 'StartInstances' }]);
  });

  it('lists the instance the key launched (Elastic RunInstances test log)', async () => {
    const result = await investigateFile(FILES.runInstances, 'ACCESS_KEY_EXAMPLE', 'testcloudtrail@elastic.co', '1010101010101');

    expect(result.leftBehind.instances).toEqual([{ region: 'us-east-1', instanceId: 'i-0f2f135de18b555e3', via: 'RunInstances' }]);
  });
});
