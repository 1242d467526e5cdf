import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  AccountAccessError,
  accountClients,
  memberQuarantinePolicyArn,
  organizationAccessFromEnv,
  OrganizationAccess,
  partitionOf,
  sessionNameFor,
} from '../../../lambdas/shared/accounts';
import { TransientAwsError } from '../../../lambdas/shared/errors';

const sts = mockClient(STSClient);
const ORG: OrganizationAccess = { ownAccountId: '111111111111', memberRoleName: 'exposed-key-responder-member', partition: 'aws' };
const MEMBER = '222222222222';
const SESSION = 'exposed-key-responder-AKIAEXAMPLE-20261130';
const inAnHour = () => new Date(Date.now() + 3_600_000);
const assumed = (id: string, expiration = inAnHour()) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration },
});

/** A client set that only keeps the credentials it was built with. */
const build = (credentials?: AwsCredentialIdentityProvider) => ({ credentials });

beforeEach(() => sts.reset());

describe('accountClients', () => {
  it('per-account mode: the Lambda\'s own clients for any account, no STS call', async () => {
    const clientsOf = accountClients(build, undefined);

    const scope = await clientsOf(MEMBER, SESSION);

    expect(scope).toEqual({ accountId: MEMBER, clients: { credentials: undefined } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('organization mode, the responder\'s own account: its own clients, no STS call', async () => {
    const scope = await accountClients(build, ORG)('111111111111', SESSION);

    expect(scope.clients.credentials).toBeUndefined();
    expect(scope.assumedRoleArn).toBeUndefined();
    expect(scope.quarantinePolicyArn).toBeUndefined();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('organization mode, a member account: assumes the member role with a session naming the incident, and uses its credentials', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed('ASIAMEMBERSESSION001'));

    const scope = await accountClients(build, ORG)(MEMBER, SESSION);

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222222222222:role/exposed-key-responder-member',
      RoleSessionName: SESSION,
      DurationSeconds: 3600,
    });
    expect(scope.assumedRoleArn).toBe('arn:aws:iam::222222222222:role/exposed-key-responder-member');
    expect(scope.quarantinePolicyArn).toBe('arn:aws:iam::222222222222:policy/exposed-key-responder/ExposedKeyResponderQuarantine');
    await expect(scope.clients.credentials!()).resolves.toMatchObject({ accessKeyId: 'ASIAMEMBERSESSION001', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('keeps one client set per account and session: a second step of the same incident assumes nothing more', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed('ASIAMEMBERSESSION001'));
    const clientsOf = accountClients(build, ORG);

    const first = await clientsOf(MEMBER, SESSION);
    const again = await clientsOf(MEMBER, SESSION);
    await clientsOf(MEMBER, 'exposed-key-responder-AKIAOTHER-20261130');

    expect(again.clients).toBe(first.clients);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('assumes the role again when the session is within 5 minutes of its end', async () => {
    sts.on(AssumeRoleCommand)
      .resolvesOnce(assumed('ASIAFIRSTSESSION0001', new Date(Date.now() + 60_000)))
      .resolves(assumed('ASIASECONDSESSION001'));

    const scope = await accountClients(build, ORG)(MEMBER, SESSION);

    await expect(scope.clients.credentials!()).resolves.toMatchObject({ accessKeyId: 'ASIASECONDSESSION001' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('refuses an account where the role cannot be assumed (outside the organization, no member stack): AccountAccessError naming account and role, not kept', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' })).resolves(assumed('ASIAMEMBERSESSION001'));
    const clientsOf = accountClients(build, ORG);

    const refused = clientsOf('333333333333', SESSION);

    await expect(refused).rejects.toThrow(AccountAccessError);
    await expect(refused).rejects.toThrow(
      'the responder could not assume arn:aws:iam::333333333333:role/exposed-key-responder-member (session exposed-key-responder-AKIAEXAMPLE-20261130): AccessDenied: User is not authorized to perform: sts:AssumeRole. Account 333333333333 is not a member of the organization',
    );
    await expect(clientsOf('333333333333', SESSION)).resolves.toMatchObject({ assumedRoleArn: 'arn:aws:iam::333333333333:role/exposed-key-responder-member' });
  });

  it('turns a throttled AssumeRole into TransientAwsError (the workflow retries it)', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    await expect(accountClients(build, ORG)(MEMBER, SESSION)).rejects.toThrow(TransientAwsError);
  });
});

describe('organizationAccessFromEnv', () => {
  it('is per-account mode without MEMBER_ROLE_NAME, or with it empty', () => {
    expect(organizationAccessFromEnv({})).toBeUndefined();
    expect(organizationAccessFromEnv({ MEMBER_ROLE_NAME: '', ACCOUNT_ID: '111111111111' })).toBeUndefined();
  });

  it('reads the role name, the own account and the partition of the Lambda\'s region', () => {
    expect(organizationAccessFromEnv({ MEMBER_ROLE_NAME: 'exposed-key-responder-member', ACCOUNT_ID: '111111111111', AWS_REGION: 'cn-north-1' }))
      .toEqual({ ownAccountId: '111111111111', memberRoleName: 'exposed-key-responder-member', partition: 'aws-cn' });
  });

  it.each([
    [{ MEMBER_ROLE_NAME: 'exposed-key-responder-member' }, 'ACCOUNT_ID must be a 12-digit account id'],
    [{ MEMBER_ROLE_NAME: 'exposed-key-responder-member', ACCOUNT_ID: '12345' }, 'ACCOUNT_ID must be a 12-digit account id'],
    [{ MEMBER_ROLE_NAME: 'role/with/slashes', ACCOUNT_ID: '111111111111' }, 'MEMBER_ROLE_NAME must be an IAM role name'],
  ])('fails the cold start on %p', (env, message) => {
    expect(() => organizationAccessFromEnv(env)).toThrow(message);
  });
});

describe('names', () => {
  it('makes a RoleSessionName naming the incident, within STS\'s grammar and 64 characters', () => {
    expect(sessionNameFor('AKIAIOSFODNN7EXAMPLE-20261130')).toBe('exposed-key-responder-AKIAIOSFODNN7EXAMPLE-20261130');
    const long = sessionNameFor(`dispatch-${'x'.repeat(80)} /:*`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[\w+=,.@-]+$/);
  });

  it('names the member quarantine policy in the partition of the Lambda', () => {
    expect(memberQuarantinePolicyArn({ ...ORG, partition: 'aws-us-gov' }, MEMBER)).toBe('arn:aws-us-gov:iam::222222222222:policy/exposed-key-responder/ExposedKeyResponderQuarantine');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });
});
