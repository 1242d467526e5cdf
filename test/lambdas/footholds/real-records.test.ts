// Following the attacker through records as CloudTrail wrote them (published detonation and test
// logs, test/fixtures/cloudtrail/SOURCE.md), unchanged: each file is one incident, its leaked key
// the IAM user's key that made the calls.
import { findFootholds } from '../../../lambdas/footholds/find';
import { capturedRecords, FILES } from '../../fixtures/cloudtrail/records';
import { anIncident } from '../helpers';

/** The footholds of a file's records, for the leaked key `accessKeyId` of `userName` in `accountId`. */
function footholdsOf(file: string, accessKeyId: string, userName: string, accountId: string) {
  return findFootholds(anIncident({ accessKeyId, userName, accountId }), capturedRecords(file));
}

describe('findFootholds on published CloudTrail records', () => {
  it('finds the admin user, its access key and the policy attached (IAMUser, Stratus iam-create-admin-user)', () => {
    const found = footholdsOf(FILES.adminUser, 'AKIAOZUDECYXYM4ONAN4', 'christophe', '229654561268');

    const byKind = Object.fromEntries(found.footholds.map((f) => [f.kind, f]));
    expect(Object.keys(byKind).sort()).toEqual(['access-key', 'permission-change', 'user']);
    expect(byKind['access-key']).toMatchObject({ userName: 'malicious-iam-user', accessKeyId: 'AKIAXAFZN8JEPF6L682H', proof: { eventName: 'CreateAccessKey', region: 'ap-isob-central-3r', callerKeyId: 'AKIAOZUDECYXYM4ONAN4' } });
    expect(byKind.user).toMatchObject({ userName: 'malicious-iam-user', path: '/', tags: { StratusRedTeam: 'true' } });
    expect(byKind['permission-change']).toMatchObject({ targetType: 'user', target: 'malicious-iam-user', values: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } });
    expect(found.records).toEqual({ read: 3, unreadable: 0, tied: 3 });
  });

  it('finds the login profile created, and nothing from the DeleteLoginProfile that failed', () => {
    const found = footholdsOf(FILES.loginProfile, 'AKIAE18PGYHCY2CYMTFK', 'christophe', '070411556318');

    expect(found.footholds).toEqual([
      {
        kind: 'login-profile',
        userName: 'stratus-red-team-login-profile-user',
        proof: { eventId: 'd3906a7d-604b-407f-acb6-fc425742821e', eventTime: '2024-08-01T13:42:21.000Z', eventName: 'CreateLoginProfile', region: 'ap-central-2r', sourceIp: expect.any(String), callerKeyId: 'AKIAE18PGYHCY2CYMTFK' },
      },
    ]);
    expect(found.gaps).toEqual([]);
  });

  it('finds the role created with the other account its trust policy names, and the policy attached to it', () => {
    const found = footholdsOf(FILES.backdoorRole, 'AKIA0W5KI69TY8X86BGT', 'christophe', '609418236337');

    expect(found.footholds).toHaveLength(2);
    expect(found.footholds).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'created-role', roleName: 'stratus-red-team-malicious-iam-role', roleArn: 'arn:aws:iam::609418236337:role/stratus-red-team-malicious-iam-role', trustedPrincipals: ['arn:aws:iam::193672423079:root'] }),
      expect.objectContaining({ kind: 'permission-change', targetType: 'role', target: 'stratus-red-team-malicious-iam-role', values: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }),
    ]));
  });

  it('follows the federated session the key obtained (GetFederationToken) to the FederatedUser call it signed', () => {
    const found = footholdsOf(FILES.federation, 'AKIA6V1GNZTT65XQH36M', 'stratus-red-team-user-federation-user', '742491224508');

    expect(found.sessions).toEqual([
      expect.objectContaining({ accessKeyId: 'ASIASTJKC5GCM7ZE6LUP', via: 'GetFederationToken', proof: expect.objectContaining({ callerKeyId: 'AKIA6V1GNZTT65XQH36M' }) }),
    ]);
    // GetFederationToken by the key, GetCallerIdentity by its FederatedUser session: both tied to the key.
    expect(found.records).toEqual({ read: 2, unreadable: 0, tied: 2 });
    expect(found.footholds).toEqual([]);
  });

  it('follows the role sessions the key assumed (AssumedRole), and never counts their denied RunInstances as an instance', () => {
    const found = footholdsOf(FILES.assumeRoleThenDenied, 'AKIAR7ISFR69YWROPYAN', 'christophe', '900138736586');

    expect(found.sessions.map((s) => [s.accessKeyId, s.via, s.as])).toEqual([
      ['ASIAYY9090UIYYUOIF2U', 'AssumeRole', 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd'],
      ['ASIA9F6MXE9HSYOXYQOS', 'AssumeRole', 'arn:aws:iam::900138736586:role/stratus-red-team-ec2lui-role-idtzskbvtd'],
    ]);
    expect(found.footholds.map((f) => f.kind)).toEqual(['assumed-role']);
    expect(found.footholds[0]).toMatchObject({ roleName: 'stratus-red-team-ec2lui-role-idtzskbvtd', sessionName: 'aws-go-sdk-1722511821294449000' });
    // Both AssumeRole calls and the session's RunInstances (Client.UnauthorizedOperation) are the key's.
    expect(found.records).toEqual({ read: 3, unreadable: 0, tied: 3 });
  });

  it('lists the instance the key started, in the region the record names', () => {
    const found = footholdsOf(FILES.startInstances, 'AKIAZI86ACIZ2J9CV86Z', 'christophe', '193672423079');

    expect(found.footholds.filter((f) => f.kind === 'instance')).toEqual([
      expect.objectContaining({ region: 'ca-northsouth-2r', instanceId: 'i-DDd6c7B0e18F0E35f', via: 'StartInstances' }),
    ]);
  });

  it('lists the instance the key launched, with its type (Elastic RunInstances test log)', () => {
    const found = footholdsOf(FILES.runInstances, 'ACCESS_KEY_EXAMPLE', 'testcloudtrail@elastic.co', '1010101010101');

    expect(found.footholds).toEqual([
      expect.objectContaining({ kind: 'instance', region: 'us-east-1', instanceId: 'i-0f2f135de18b555e3', instanceType: 't1.micro', via: 'RunInstances' }),
    ]);
  });

  it('reads every published record: none is unreadable', () => {
    for (const file of Object.values(FILES)) {
      const records = capturedRecords(file);

      expect(findFootholds(anIncident(), records).records).toEqual({ read: records.length, unreadable: 0, tied: 0 });
    }
  });
});
