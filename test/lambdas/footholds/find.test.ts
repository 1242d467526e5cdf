import { MAX_FOOTHOLDS } from '../../../lambdas/footholds/contract';
import { findFootholds, sessionsToFollow } from '../../../lambdas/footholds/find';
import { activityLines } from '../../../lambdas/footholds/records';
import { ACCOUNT_ID, anIncident, KEY_ID } from '../helpers';
import { ALICE_KEY, ATTACKER_IP, calls, FEDERATED_KEY, iam, identities, record, ROLE_SESSION_KEY, SESSION_KEY } from './trail';

const incident = anIncident();
const find = (records: unknown[]) => findFootholds(incident, records);

describe('findFootholds: what the leaked key did itself', () => {
  it('lists the user it created, with the record that proves it', () => {
    const found = find([calls.createUser('support-admin', { eventID: 'evt-create-user', eventTime: '2026-11-20T09:31:02Z' })]);

    expect(found.footholds).toEqual([
      {
        kind: 'user',
        userName: 'support-admin',
        path: '/',
        proof: { eventId: 'evt-create-user', eventTime: '2026-11-20T09:31:02.000Z', eventName: 'CreateUser', region: 'us-east-1', sourceIp: ATTACKER_IP, callerKeyId: KEY_ID },
      },
    ]);
    expect(found.records).toEqual({ read: 1, unreadable: 0, tied: 1 });
  });

  it('lists access keys created on any user, its own user included when the request names none', () => {
    const found = find([calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001'), calls.createAccessKey(undefined, 'AKIA3SECONDCIKEY0002')]);

    expect(found.footholds.map((f) => f.kind === 'access-key' && [f.userName, f.accessKeyId])).toEqual([
      ['support-admin', 'AKIA3BACKDOORKEY0001'],
      ['ci-deploy', 'AKIA3SECONDCIKEY0002'],
    ]);
  });

  it('lists console passwords created or changed on any user', () => {
    const found = find([calls.createLoginProfile('support-admin'), iam('UpdateLoginProfile', { userName: 'alice', passwordResetRequired: false })]);

    expect(found.footholds.map((f) => f.kind === 'login-profile' && [f.userName, f.proof.eventName])).toEqual([
      ['support-admin', 'CreateLoginProfile'],
      ['alice', 'UpdateLoginProfile'],
    ]);
  });

  it('lists roles it created with the principals their trust policy names', () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' }] });
    const found = find([
      iam('CreateRole', { roleName: 'ops-support', assumeRolePolicyDocument: trust }, { role: { path: '/', roleName: 'ops-support', arn: `arn:aws:iam::${ACCOUNT_ID}:role/ops-support` } }),
    ]);

    expect(found.footholds).toEqual([
      expect.objectContaining({ kind: 'created-role', roleName: 'ops-support', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/ops-support`, path: '/', trustedPrincipals: ['arn:aws:iam::999988887777:root'] }),
    ]);
  });

  it("splits this account's roles from another account's, and reads the role's path", () => {
    const found = find([
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/team/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY),
      calls.sts('AssumeRole', { roleArn: 'arn:aws:iam::444455556666:role/partner-access', roleSessionName: 'y' }, 'ASIAOTHERACCOUNT0001'),
    ]);

    expect(found.footholds.map(({ proof: _proof, ...f }) => f)).toEqual([
      { kind: 'assumed-role', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/team/deploy`, roleName: 'deploy', path: '/team/', sessionName: 'x', sessionKeyId: ROLE_SESSION_KEY },
      { kind: 'external-role', roleArn: 'arn:aws:iam::444455556666:role/partner-access', accountId: '444455556666', sessionName: 'y' },
    ]);
  });

  it('lists service-specific credentials (a Bedrock API key) with their id', () => {
    const found = find([
      iam('CreateServiceSpecificCredential', { userName: 'support-admin', serviceName: 'bedrock.amazonaws.com' }, {
        serviceSpecificCredential: { createDate: 'Nov 20, 2026, 9:32:00 AM', serviceName: 'bedrock.amazonaws.com', serviceSpecificCredentialId: 'ACCAEXAMPLEBEDROCK01', userName: 'support-admin', status: 'Active' },
      }),
    ]);

    expect(found.footholds.map(({ proof: _proof, ...f }) => f)).toEqual([
      { kind: 'service-credential', userName: 'support-admin', serviceName: 'bedrock.amazonaws.com', credentialId: 'ACCAEXAMPLEBEDROCK01' },
    ]);
  });

  it('lists instances launched (type, launch time) and started, in their own region', () => {
    const found = find([
      calls.runInstances('eu-west-1', 'i-0miner0000000001', 'c5.24xlarge'),
      record({ eventSource: 'ec2.amazonaws.com', eventName: 'StartInstances', awsRegion: 'ap-south-1', eventTime: '2026-11-20T09:40:00Z', requestParameters: { instancesSet: { items: [{ instanceId: 'i-0stopped00000002' }] } } }),
    ]);

    expect(found.footholds.map(({ proof: _proof, ...f }) => f)).toEqual([
      { kind: 'instance', region: 'eu-west-1', instanceId: 'i-0miner0000000001', instanceType: 'c5.24xlarge', launchTime: '2026-11-20T09:31:40.000Z', via: 'RunInstances' },
      { kind: 'instance', region: 'ap-south-1', instanceId: 'i-0stopped00000002', launchTime: '2026-11-20T09:40:00.000Z', via: 'StartInstances' },
    ]);
  });

  it('lists trust and permission changes with the values of the record', () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}';
    const found = find([
      iam('UpdateAssumeRolePolicy', { roleName: 'deploy', policyDocument: doc }),
      iam('AttachRolePolicy', { roleName: 'deploy', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      iam('CreatePolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, policyDocument: doc, setAsDefault: true }, { policyVersion: { versionId: 'v3', isDefaultVersion: true } }),
      iam('SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, versionId: 'v2' }),
    ]);

    expect(found.footholds.map((f) => f.kind === 'permission-change' && [f.proof.eventName, f.targetType, f.target, f.values, f.versionId])).toEqual([
      ['UpdateAssumeRolePolicy', 'role', 'deploy', { policyDocument: doc }, undefined],
      ['AttachRolePolicy', 'role', 'deploy', { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, undefined],
      ['CreatePolicyVersion', 'policy', `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, { policyDocument: doc, setAsDefault: 'true' }, 'v3'],
      ['SetDefaultPolicyVersion', 'policy', `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, { versionId: 'v2' }, undefined],
    ]);
  });

  it('lists functions (versioned event names), key pairs, ingress, bucket policies and SES identities', () => {
    const found = find([
      record({ eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331', awsRegion: 'eu-west-1', requestParameters: { functionName: 'miner-relay' }, responseElements: { functionName: 'miner-relay', functionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT_ID}:function:miner-relay` } }),
      record({ eventSource: 'ec2.amazonaws.com', eventName: 'ImportKeyPair', awsRegion: 'eu-west-1', requestParameters: { keyName: 'backdoor' }, responseElements: { keyName: 'backdoor', keyPairId: 'key-0123456789abcdef0' } }),
      record({
        eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', awsRegion: 'eu-west-1',
        requestParameters: { groupId: 'sg-0abc', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
        responseElements: { _return: true, securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-0123', groupId: 'sg-0abc' }] } },
      }),
      record({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'company-data', bucketPolicy: { Version: '2012-10-17', Statement: [] } } }),
      record({ eventSource: 'ses.amazonaws.com', eventName: 'VerifyEmailIdentity', requestParameters: { emailAddress: 'billing@example.net' } }),
      record({ eventSource: 'ses.amazonaws.com', eventName: 'CreateEmailIdentity', requestParameters: { emailIdentity: 'example.net' } }),
    ]);

    expect(found.footholds.map((f) => f.kind === 'resource' && [f.type, f.region, f.name])).toEqual([
      ['lambda-function', 'eu-west-1', 'miner-relay'],
      ['key-pair', 'eu-west-1', 'backdoor'],
      ['security-group-ingress', 'eu-west-1', 'sg-0abc'],
      ['bucket-policy', 'us-east-1', 'company-data'],
      ['ses-identity', 'us-east-1', 'billing@example.net'],
      ['ses-identity', 'us-east-1', 'example.net'],
    ]);
  });
});

describe('findFootholds: sessions derived from the key', () => {
  it('follows the sessions of GetSessionToken (IAMUser), GetFederationToken (FederatedUser) and AssumeRole (AssumedRole)', () => {
    const found = find([
      calls.sts('GetSessionToken', { durationSeconds: 129600 }, SESSION_KEY),
      calls.sts('GetFederationToken', { name: 'support', policy: '{}' }, FEDERATED_KEY),
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY),
      calls.createAccessKey('alice', 'AKIAFROMSESSION00001', { userIdentity: identities.sessionToken() }),
      calls.runInstances('eu-west-1', 'i-0fromfederated001', 'p4d.24xlarge', { userIdentity: identities.federated() }),
      calls.createUser('role-made-user', { userIdentity: identities.assumedRole() }),
    ]);

    expect(found.sessions.map((s) => [s.via, s.accessKeyId, s.as])).toEqual([
      ['GetSessionToken', SESSION_KEY, undefined],
      ['GetFederationToken', FEDERATED_KEY, `arn:aws:sts::${ACCOUNT_ID}:federated-user/support`],
      ['AssumeRole', ROLE_SESSION_KEY, `arn:aws:iam::${ACCOUNT_ID}:role/deploy`],
    ]);
    expect(found.footholds.filter((f) => f.kind !== 'assumed-role').map((f) => [f.kind, f.proof.callerKeyId])).toEqual([
      ['access-key', SESSION_KEY],
      ['instance', FEDERATED_KEY],
      ['user', ROLE_SESSION_KEY],
    ]);
  });

  it("follows one level: a role assumed by a session is a foothold, but that second session's calls are not followed", () => {
    const found = find([
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY),
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/admin`, roleSessionName: 'chain' }, 'ASIASECONDLEVEL00001', { userIdentity: identities.assumedRole() }),
      calls.createUser('second-level-user', { userIdentity: identities.assumedRole('ASIASECONDLEVEL00001') }),
    ]);

    expect(found.footholds.map((f) => (f.kind === 'assumed-role' ? f.roleName : f.kind))).toEqual(['deploy', 'admin']);
    expect(found.sessions.map((s) => s.accessKeyId)).toEqual([ROLE_SESSION_KEY]);
  });
  it('says when a session call does not record the session it returned, rather than following a guess', () => {
    const found = find([record({ eventSource: 'sts.amazonaws.com', eventName: 'GetSessionToken', eventID: 'evt-gst', eventTime: '2026-11-20T09:30:05Z', requestParameters: {}, responseElements: null })]);

    expect(found.sessions).toEqual([]);
    expect(found.gaps).toEqual(["GetSessionToken at 2026-11-20T09:30:05.000Z (event evt-gst): the record does not say which session it returned, so that session's calls are not followed"]);
  });

  it("gives the investigation the sessions to look up by key id, from the key's own records only", () => {
    const sessions = sessionsToFollow(KEY_ID, [
      JSON.stringify(calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY)),
      calls.sts('GetSessionToken', {}, 'ASIAALICESESSION0001', { userIdentity: identities.alice() }),
    ]);

    expect(sessions.map((s) => s.accessKeyId)).toEqual([ROLE_SESSION_KEY]);
  });
});

describe('findFootholds: what is never a foothold', () => {
  it('ignores what another caller created in the same minutes, even on the same user', () => {
    const found = find([
      calls.createAccessKey('ci-deploy', 'AKIAALICEMADEKEY0001', { userIdentity: identities.alice(), eventTime: '2026-11-20T09:31:05Z' }),
      calls.createUser('new-hire', { userIdentity: identities.alice(), eventTime: '2026-11-20T09:31:06Z' }),
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'alice' }, 'ASIAALICESESSION0001', { userIdentity: identities.alice() }),
      calls.createUser('from-alice-session', { userIdentity: identities.assumedRole('ASIAALICESESSION0001') }),
    ]);

    expect(found.footholds).toEqual([]);
    expect(found.sessions).toEqual([]);
    expect(found.records).toEqual({ read: 4, unreadable: 0, tied: 0 });
  });

  it('creates nothing from a failed call, and follows no session a failed call did not return', () => {
    const found = find([
      calls.createUser('support-admin', { errorCode: 'AccessDenied' }),
      iam('CreateUser', { userName: 'ci-deploy' }, null, { errorCode: 'EntityAlreadyExists', errorMessage: 'User with name ci-deploy already exists.' }),
      record({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/admin` }, errorCode: 'AccessDenied' }),
    ]);

    expect(found.footholds).toEqual([]);
    expect(found.records.tied).toBe(3);
  });

  it('says when a successful call does not record what it made (CloudTrail leaves out large responses), and never guesses', () => {
    const found = find([
      record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', eventID: 'evt-run', eventTime: '2026-11-20T09:40:00Z', awsRegion: 'eu-west-1', requestParameters: { instanceType: 'p5.48xlarge' }, responseElements: null }),
      iam('CreateUser', {}, null, { eventID: 'evt-user', eventTime: '2026-11-20T09:41:00Z' }),
      iam('toString', {}, null),
    ]);

    expect(found.footholds).toEqual([]);
    expect(found.gaps).toEqual([
      'RunInstances at 2026-11-20T09:40:00.000Z in eu-west-1 (event evt-run): the record does not say what it created or changed: check it by hand',
      'CreateUser at 2026-11-20T09:41:00.000Z in us-east-1 (event evt-user): the record does not say what it created or changed: check it by hand',
    ]);
  });

  it('counts records it cannot read and never guesses at them', () => {
    const { eventID: _missing, ...noId } = calls.createUser('x');
    const found = find([
      null,
      'not json',
      42,
      noId,
      { ...calls.createUser('y'), eventTime: 'yesterday' },
      JSON.stringify(calls.createUser('from-jsonl', { eventID: 'evt-jsonl' })),
    ]);

    expect(found.records).toEqual({ read: 6, unreadable: 5, tied: 1 });
    expect(found.footholds.map((f) => f.kind === 'user' && f.userName)).toEqual(['from-jsonl']);
  });

  it("reads the incident's activity.jsonl, a record a line with the region it was found in, blank lines not counted", () => {
    const body = `${JSON.stringify({ ...calls.createUser('from-activity'), region: 'us-east-1' })}\n\n{"truncated\n`;

    const found = find(activityLines(body));

    expect(found.records).toEqual({ read: 2, unreadable: 1, tied: 1 });
    expect(found.footholds.map((f) => f.kind === 'user' && f.userName)).toEqual(['from-activity']);
  });

  it('keeps one foothold for a record found twice, and for the same key created in two records', () => {
    const first = calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001', { eventID: 'evt-first', eventTime: '2026-11-20T09:31:00Z' });
    const found = find([first, calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001', { eventID: 'evt-later', eventTime: '2026-11-20T09:35:00Z' }), first]);

    expect(found.footholds.map((f) => f.proof.eventId)).toEqual(['evt-first']);
  });

  it('ties a record only by the exact key id: a look-alike id ties nothing', () => {
    const found = find([calls.createUser('x', { userIdentity: { ...identities.leakedKey(), accessKeyId: `${KEY_ID}X` } }), calls.createUser('y', { userIdentity: { ...identities.alice(), accessKeyId: ALICE_KEY } })]);

    expect(found.footholds).toEqual([]);
  });
});

describe('findFootholds: bounds', () => {
  it('follows every session the key obtained but lists 100, and says so', () => {
    const sessions = Array.from({ length: 105 }, (_, i) => calls.sts('GetSessionToken', {}, `ASIASESSION${String(i).padStart(9, '0')}`));
    const lastSession = { ...identities.sessionToken(), accessKeyId: 'ASIASESSION000000104' };

    const found = find([...sessions, calls.createUser('from-last-session', { userIdentity: lastSession })]);

    expect(found.sessions).toHaveLength(100);
    expect(found.footholds.map((f) => f.kind === 'user' && f.userName)).toEqual(['from-last-session']);
    expect(found.truncated).toEqual(['sessions: 105 obtained by the key, the first 100 listed (all were followed here); a second look follows only those listed']);
  });

  it(`lists at most ${MAX_FOOTHOLDS}, containable kinds first, and says what it left out`, () => {
    const keyPairs = Array.from({ length: 320 }, (_, i) => record({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateKeyPair', requestParameters: { keyName: `kp-${i}` } }));
    const found = find([...keyPairs, calls.createUser('support-admin')]);

    expect(found.footholds).toHaveLength(MAX_FOOTHOLDS);
    expect(found.footholds[0]).toMatchObject({ kind: 'user', userName: 'support-admin' });
    expect(found.truncated).toEqual([
      'footholds: 321 found, the first 300 listed (containable kinds first); left out: 21 resource. They are in the CloudTrail activity and are NOT contained',
    ]);
  });
});
