import { ACCOUNT_ID, KEY_ID, REVOKED_BEFORE } from '../helpers';
import { EXPECTED_QUARANTINE_DOCUMENT } from '../quarantine-literals';
import { FakeAccount, FakeRole, FakeUser } from './fake-account';
import { ADMIN, contain, inline, QUARANTINE_ARN, result, REVOKE_DOC } from './harness';
import { calls, iam, identities } from './trail';

let account: FakeAccount;

function setUp(users: Record<string, FakeUser> = {}, roles: Record<string, FakeRole> = {}): FakeAccount {
  account = new FakeAccount(users, roles);
  return account;
}

afterEach(() => account?.restore());


describe('containFootholds: access keys', () => {
  it('sets the keys the leaked key created Inactive (verified), and leaves the key another user created in the same minute Active', async () => {
    setUp({
      'ci-deploy': { keys: { [KEY_ID]: 'Inactive', AKIA3SECONDCIKEY0002: 'Active', AKIAALICEMADEKEY0001: 'Active' } },
      'support-admin': { keys: { AKIA3BACKDOORKEY0001: 'Active' } },
    });

    const out = await contain([
      calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001'),
      calls.createAccessKey(undefined, 'AKIA3SECONDCIKEY0002'),
      calls.createAccessKey('ci-deploy', 'AKIAALICEMADEKEY0001', { userIdentity: identities.alice() }),
    ]);

    expect(account.users.get('ci-deploy')?.keys).toEqual({ [KEY_ID]: 'Inactive', AKIA3SECONDCIKEY0002: 'Inactive', AKIAALICEMADEKEY0001: 'Active' });
    expect(account.users.get('support-admin')?.keys).toEqual({ AKIA3BACKDOORKEY0001: 'Inactive' });
    expect(result(out, 'deactivate-key support-admin AKIA3BACKDOORKEY0001')).toMatchObject({
      status: 'done',
      detail: 'set access key AKIA3BACKDOORKEY0001 of user support-admin Inactive (read back: Inactive)',
      undo: 'aws iam update-access-key --user-name support-admin --access-key-id AKIA3BACKDOORKEY0001 --status Active',
    });
    expect(out.summary).toEqual({ contained: true, containedCount: 2, open: [] });
  });

  it('skips a key created on a protected user, keeps it Active and leaves it open with the command', async () => {
    setUp({ breakglass: { keys: { AKIABREAKGLASSNEW001: 'Active' } } });

    const out = await contain([calls.createAccessKey('breakglass', 'AKIABREAKGLASSNEW001')]);

    expect(account.users.get('breakglass')?.keys).toEqual({ AKIABREAKGLASSNEW001: 'Active' });
    expect(out.results[0]).toMatchObject({ status: 'skipped', detail: 'user breakglass is protected (on the protected list): nothing was changed, a human must decide' });
    expect(out.summary.open).toEqual([
      {
        what: 'skipped: user breakglass is protected (on the protected list): nothing was changed, a human must decide',
        command: 'aws iam update-access-key --user-name breakglass --access-key-id AKIABREAKGLASSNEW001 --status Inactive',
      },
    ]);
  });
});

describe('containFootholds: protection the attacker chose is not believed', () => {
  it('contains a user the key created even with the protection tag and a protected name it gave it', async () => {
    setUp({ breakglass: { tags: { 'exposed-key-responder:protected': 'true' }, keys: { AKIABACKDOORBREAK001: 'Active' } } });

    const out = await contain([
      iam('CreateUser', { userName: 'breakglass', tags: [{ key: 'exposed-key-responder:protected', value: 'true' }] }, { user: { userName: 'breakglass', path: '/' } }),
      calls.createAccessKey('breakglass', 'AKIABACKDOORBREAK001'),
    ]);

    expect(account.users.get('breakglass')?.keys).toEqual({ AKIABACKDOORBREAK001: 'Inactive' });
    expect(out.results.map((r) => r.status)).toEqual(['done', 'already', 'done', 'done', 'already']);
  });

  it('ignores the protection tag when the key put it on an existing user, but never a protection the operator configured', async () => {
    setUp({
      alice: { tags: { 'exposed-key-responder:protected': 'true' }, keys: { AKIANEWFORALICE00001: 'Active' } },
      breakglass: { keys: { AKIANEWFORBREAK00001: 'Active' } },
    });

    const out = await contain([
      iam('TagUser', { userName: 'alice', tags: [{ key: 'exposed-key-responder:protected', value: 'true' }] }),
      calls.createAccessKey('alice', 'AKIANEWFORALICE00001'),
      iam('TagUser', { userName: 'breakglass', tags: [{ key: 'exposed-key-responder:protected', value: 'true' }] }),
      calls.createAccessKey('breakglass', 'AKIANEWFORBREAK00001'),
    ]);

    expect(account.users.get('alice')?.keys).toEqual({ AKIANEWFORALICE00001: 'Inactive' });
    expect(account.users.get('breakglass')?.keys).toEqual({ AKIANEWFORBREAK00001: 'Active' });
    expect(result(out, 'deactivate-key breakglass AKIANEWFORBREAK00001').status).toBe('skipped');
  });
});

describe('containFootholds: users and console passwords', () => {
  it('revokes the sessions of a user it created, quarantines it, sets its keys and service-specific credentials Inactive and deletes its console password', async () => {
    setUp({ 'support-admin': { keys: { AKIA3BACKDOORKEY0001: 'Active', AKIA3BACKDOORKEY0002: 'Active' }, serviceCredentials: { ACCABEDROCKAPIKEY001: 'Active' }, loginProfile: true, attached: [ADMIN] } });

    const out = await contain([calls.createUser('support-admin'), iam('AttachUserPolicy', { userName: 'support-admin', policyArn: ADMIN })]);

    const user = account.users.get('support-admin')!;
    expect(inline(user, 'ExposedKeyResponder-RevokeOlderSessions')).toEqual(REVOKE_DOC);
    expect(user.attached).toEqual([ADMIN, QUARANTINE_ARN]);
    expect(user.keys).toEqual({ AKIA3BACKDOORKEY0001: 'Inactive', AKIA3BACKDOORKEY0002: 'Inactive' });
    expect(user.serviceCredentials).toEqual({ ACCABEDROCKAPIKEY001: 'Inactive' });
    expect(user.loginProfile).toBe(false);
    expect(out.results.map((r) => [r.id, r.status])).toEqual([
      ['deactivate-user-keys support-admin', 'done'],
      ['revoke-user-sessions support-admin', 'done'],
      ['quarantine-user support-admin', 'done'],
      ['delete-login-profile support-admin', 'done'],
      // The AdministratorAccess it attached is moot once the user is contained: reported, not open.
      [expect.stringMatching(/^report .* AttachUserPolicy support-admin$/), 'reported'],
    ]);
    expect(out.summary.contained).toBe(true);
  });

  it('names in its undo exactly the keys and credentials it set Inactive, and offers no undo for a password that was never there', async () => {
    setUp({ 'support-admin': { keys: { AKIA3BACKDOORKEY0001: 'Active', AKIA3BACKDOORKEY0002: 'Inactive' }, serviceCredentials: { ACCABEDROCKAPIKEY001: 'Active' }, loginProfile: false } });

    const out = await contain([calls.createUser('support-admin')]);

    expect(result(out, 'deactivate-user-keys support-admin').undo).toBe(
      'aws iam update-access-key --user-name support-admin --access-key-id AKIA3BACKDOORKEY0001 --status Active; ' +
        'aws iam update-service-specific-credential --user-name support-admin --service-specific-credential-id ACCABEDROCKAPIKEY001 --status Active',
    );
    const password = result(out, 'delete-login-profile support-admin');
    expect([password.status, password.detail, password.undo]).toEqual(['already', 'user support-admin has no console password', undefined]);
  });

  it("deletes a console password it set on another user, leaves that user's keys alone and says how to give the owner access again", async () => {
    setUp({ alice: { keys: { AKIAALICEPERSONAL001: 'Active' }, loginProfile: true } });

    const out = await contain([iam('UpdateLoginProfile', { userName: 'alice', passwordResetRequired: false })]);

    expect(account.users.get('alice')).toMatchObject({ loginProfile: false, keys: { AKIAALICEPERSONAL001: 'Active' } });
    expect(out.results).toEqual([
      expect.objectContaining({
        id: 'delete-login-profile alice',
        status: 'done',
        undo: "give the legitimate owner a new password (never the old one): aws iam create-login-profile --user-name alice --password-reset-required --password '<a new temporary password, sent to the owner>'",
      }),
    ]);
  });
});

describe('containFootholds: roles', () => {
  it("revokes the sessions of a role it assumed with the console's AWSRevokeOlderSessions inline policy", async () => {
    setUp({}, { deploy: {} });

    const out = await contain([calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, 'ASIAY34FZKBOROLESES1')]);

    expect(inline(account.roles.get('deploy')!, 'AWSRevokeOlderSessions')).toEqual(REVOKE_DOC);
    expect(result(out, 'revoke-role-sessions deploy')).toMatchObject({ status: 'done', undo: 'aws iam delete-role-policy --role-name deploy --policy-name AWSRevokeOlderSessions' });
  });

  it('leaves the sessions of a role that only someone else assumed', async () => {
    setUp({}, { 'data-reader': {} });

    const out = await contain([calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/data-reader`, roleSessionName: 'alice' }, 'ASIAALICESESSION0001', { userIdentity: identities.alice() })]);

    expect(account.roles.get('data-reader')?.inline).toEqual({});
    expect(out.results).toEqual([]);
  });

  it('never changes a service-linked role, and says so', async () => {
    setUp({}, { AWSServiceRoleForSupport: { path: '/aws-service-role/support.amazonaws.com/' } });

    const out = await contain([
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport`, roleSessionName: 'x' }, 'ASIASLR0000000000001'),
    ]);

    expect(account.roles.get('AWSServiceRoleForSupport')?.inline).toEqual({});
    expect(account.iamMock.calls()).toHaveLength(0);
    expect(out.results[0]).toMatchObject({ status: 'skipped', detail: 'role AWSServiceRoleForSupport is a service-linked role: its sessions cannot be revoked and the responder never changes one' });
    expect(out.results[0].command).toBeUndefined();
  });

  it('skips a role IAM says is protected (by tag, not visible in the record)', async () => {
    setUp({}, { 'admin-access': { tags: { 'exposed-key-responder:protected': 'TRUE' } } });

    const out = await contain([calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/admin-access`, roleSessionName: 'x' }, 'ASIAPROTECTED0000001')]);

    expect(account.roles.get('admin-access')?.inline).toEqual({});
    expect(out.results[0]).toMatchObject({ status: 'skipped', detail: 'role admin-access is protected (tagged exposed-key-responder:protected=true): nothing was changed, a human must decide' });
  });

  it("names the other account when the key assumed another account's role, as ACTION REQUIRED", async () => {
    setUp();

    const out = await contain([calls.sts('AssumeRole', { roleArn: 'arn:aws:iam::444455556666:role/partner-access', roleSessionName: 'y' }, 'ASIAOTHERACCOUNT0001')]);

    expect(out.results[0]).toMatchObject({
      status: 'open',
      detail: `ACTION REQUIRED: the leaked key assumed role arn:aws:iam::444455556666:role/partner-access of account 444455556666; the owner of account 444455556666 must revoke its sessions issued before ${REVOKED_BEFORE}`,
      command: `in account 444455556666: aws iam put-role-policy --role-name partner-access --policy-name AWSRevokeOlderSessions --policy-document '${JSON.stringify(REVOKE_DOC)}'`,
    });
    expect(out.summary.contained).toBe(false);
  });

  it('revokes and quarantines a role it created (inline, within the role limit), and says its outside trust is still open', async () => {
    setUp({}, { 'ops-support': {} });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' }] });

    const out = await contain([iam('CreateRole', { roleName: 'ops-support', assumeRolePolicyDocument: trust }, { role: { roleName: 'ops-support', path: '/' } })]);

    const role = account.roles.get('ops-support')!;
    expect(Object.keys(role.inline).sort()).toEqual(['AWSRevokeOlderSessions', 'ExposedKeyResponder-Quarantine']);
    expect(inline(role, 'AWSRevokeOlderSessions')).toEqual(REVOKE_DOC);
    const quarantine = inline(role, 'ExposedKeyResponder-Quarantine');
    expect(quarantine).toEqual(EXPECTED_QUARANTINE_DOCUMENT);
    expect(quarantine.Statement[0]).toMatchObject({ Sid: 'DenyHighRiskActions', Effect: 'Deny', Resource: '*' });
    expect(quarantine.Statement[0].Action).toEqual(expect.arrayContaining(['iam:CreateAccessKey', 'ec2:RunInstances']));
    expect(Object.values(role.inline).join('').length).toBeLessThan(10_240);
    expect(result(out, 'action-required trust ops-support')).toMatchObject({
      status: 'open',
      detail: 'role ops-support trusts arn:aws:iam::999988887777:root: new sessions are quarantined, not denied; delete the role once its evidence is kept',
    });
  });

  it('only moves a revocation time later: a later revoke already in place is kept', async () => {
    const later = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-21T00:00:00Z' } } } });
    setUp({}, { deploy: { inline: { AWSRevokeOlderSessions: later } } });

    const out = await contain([calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, 'ASIAY34FZKBOROLESES1')]);

    expect(account.roles.get('deploy')?.inline.AWSRevokeOlderSessions).toBe(later);
    expect(out.results[0]).toMatchObject({ status: 'already', detail: 'sessions of role deploy were already revoked before 2026-11-21T00:00:00Z (a revocation time only moves later)' });
  });
});

describe('containFootholds: service-specific credentials and instances', () => {
  it('sets a service-specific credential it created (a Bedrock API key) Inactive', async () => {
    setUp({ 'support-admin': { serviceCredentials: { ACCAEXAMPLEBEDROCK01: 'Active' } } });

    const out = await contain([
      iam('CreateServiceSpecificCredential', { userName: 'support-admin', serviceName: 'bedrock.amazonaws.com' }, {
        serviceSpecificCredential: { serviceName: 'bedrock.amazonaws.com', serviceSpecificCredentialId: 'ACCAEXAMPLEBEDROCK01', userName: 'support-admin', status: 'Active' },
      }),
    ]);

    expect(account.users.get('support-admin')?.serviceCredentials).toEqual({ ACCAEXAMPLEBEDROCK01: 'Inactive' });
    expect(out.results[0]).toMatchObject({
      status: 'done',
      undo: 'aws iam update-service-specific-credential --user-name support-admin --service-specific-credential-id ACCAEXAMPLEBEDROCK01 --status Active',
    });
  });

  it('does not stop an instance by default: ACTION REQUIRED with its type, region, launch time, source IP and the stop command', async () => {
    setUp();
    account.instances.set('eu-west-1 i-0miner0000000001', 'running');

    const out = await contain([calls.runInstances('eu-west-1', 'i-0miner0000000001', 'c5.24xlarge')]);

    expect(account.instances.get('eu-west-1 i-0miner0000000001')).toBe('running');
    expect(out.results).toEqual([
      expect.objectContaining({
        status: 'open',
        detail: 'ACTION REQUIRED: instance i-0miner0000000001 (c5.24xlarge, eu-west-1, launched 2026-11-20T09:31:40.000Z, from 198.51.100.23) is not stopped (stopLaunchedInstances is off): stop it if it is not yours',
        command: 'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner0000000001',
      }),
    ]);
    expect(out.summary.contained).toBe(false);
  });

  it('stops it in its own region when stopLaunchedInstances is on', async () => {
    setUp();
    account.instances.set('eu-west-1 i-0miner0000000001', 'running');

    const out = await contain([calls.runInstances('eu-west-1', 'i-0miner0000000001', 'c5.24xlarge')], { stopLaunchedInstances: true });

    expect(account.instances.get('eu-west-1 i-0miner0000000001')).toBe('stopping');
    expect(out.results[0]).toMatchObject({ status: 'done', undo: 'aws ec2 start-instances --region eu-west-1 --instance-ids i-0miner0000000001' });
  });
});
