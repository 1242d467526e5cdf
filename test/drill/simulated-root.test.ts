import { parseScenario } from '../../drill/scenario';
import { SimulatedAccount } from '../../drill/simulated-account';
import { SimulatedOrganization } from '../../drill/simulated-sts';

const MEMBER = '111122223333';
const ROOT_KEY = 'AKIAROOTKEY000000001';
const TASK = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

/** A member account with one root key and one user, in organization mode. */
function memberAccount() {
  const account = new SimulatedAccount(parseScenario({
    accountId: MEMBER,
    rootAccessKeys: [{ accessKeyId: ROOT_KEY }],
    users: [{ userName: 'ci-deploy', accessKeys: [{ accessKeyId: 'AKIAUSERKEY000000001' }] }],
  }));
  const organization = new SimulatedOrganization('o-a1b2c3d4e5', MEMBER);
  organization.attach(account);
  return { account, organization };
}

function rootSession(account: SimulatedAccount, input: Record<string, unknown> = {}): string {
  const out = account.call('sts', 'AssumeRoot', { TargetPrincipal: MEMBER, TaskPolicyArn: { arn: TASK }, DurationSeconds: 300, ...input }) as { Credentials: { AccessKeyId: string } };
  return out.Credentials.AccessKeyId;
}

describe('the simulated STS AssumeRoot and root sessions', () => {
  it('gives a root session of the member account that lists and deletes the root user\'s key, and nothing else', () => {
    const { account, organization } = memberAccount();
    const session = rootSession(account);

    expect(account.call('iam', 'ListAccessKeys', {}, 'us-east-1', session)).toEqual({ AccessKeyMetadata: [{ AccessKeyId: ROOT_KEY, Status: 'Active' }], IsTruncated: false });
    account.call('iam', 'DeleteAccessKey', { AccessKeyId: ROOT_KEY }, 'us-east-1', session);

    expect(account.view().rootAccessKeys).toEqual([]);
    expect(account.view().users[0].accessKeys).toEqual([{ accessKeyId: 'AKIAUSERKEY000000001', status: 'Active' }]);
    expect(organization.rootSessions).toEqual([{ targetPrincipal: MEMBER, taskPolicyArn: TASK, durationSeconds: 300, accessKeyId: session }]);
    expect(account.calls.filter((c) => c.service === 'iam').map((c) => c.role)).toEqual([`arn:aws:iam::${MEMBER}:root`, `arn:aws:iam::${MEMBER}:root`]);
  });

  it('refuses what the task policy does not allow (UpdateAccessKey: no deactivation) and any IAM user', () => {
    const { account } = memberAccount();
    const session = rootSession(account);

    expect(() => account.call('iam', 'UpdateAccessKey', { AccessKeyId: ROOT_KEY, Status: 'Inactive' }, 'us-east-1', session)).toThrow(
      expect.objectContaining({ name: 'AccessDenied', message: expect.stringContaining('not allowed by its task policy IAMDeleteRootUserCredentials') }),
    );
    expect(() => account.call('iam', 'DeleteAccessKey', { UserName: 'ci-deploy', AccessKeyId: 'AKIAUSERKEY000000001' }, 'us-east-1', session)).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(() => account.call('sns', 'Publish', { TopicArn: 'x', Message: 'y' }, 'us-east-1', session)).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(account.view().rootAccessKeys).toEqual([{ accessKeyId: ROOT_KEY, status: 'Active' }]);
    expect(account.view().users[0].accessKeys[0].status).toBe('Active');
  });

  it.each([
    ['another account', { TargetPrincipal: '333333333333' }, 'AccessDenied'],
    ['a policy that is not a root task policy', { TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }, 'ValidationError'],
    ['more than 900 seconds', { DurationSeconds: 901 }, 'ValidationError'],
  ])('refuses AssumeRoot of %s', (_name, input, code) => {
    const { account, organization } = memberAccount();

    expect(() => rootSession(account, input)).toThrow(expect.objectContaining({ name: code }));
    expect(organization.rootSessions).toEqual([]);
  });

  it('refuses AssumeRoot through a member role session (only the central account may call it)', () => {
    const { account } = memberAccount();
    const role = account.call('sts', 'AssumeRole', { RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-key-responder-member`, RoleSessionName: 's' }) as { Credentials: { AccessKeyId: string } };

    expect(() => account.call('sts', 'AssumeRoot', { TargetPrincipal: MEMBER, TaskPolicyArn: { arn: TASK } }, 'us-east-1', role.Credentials.AccessKeyId)).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
  });

  it('lists no root key to a member role session: the root user\'s keys are not a user\'s', () => {
    const { account } = memberAccount();
    const role = account.call('sts', 'AssumeRole', { RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-key-responder-member`, RoleSessionName: 's' }) as { Credentials: { AccessKeyId: string } };

    expect(() => account.call('iam', 'DeleteAccessKey', { AccessKeyId: ROOT_KEY }, 'us-east-1', role.Credentials.AccessKeyId)).toThrow();
    expect(account.view().rootAccessKeys).toEqual([{ accessKeyId: ROOT_KEY, status: 'Active' }]);
  });
});
