import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { containRootKey, RootKeyConfig, RootKeyDeps } from '../../../lambdas/contain/root-key';
import { EscalationRequiredError, ThrottledError, TransientAwsError } from '../../../lambdas/shared/errors';
import { anIncident, awsError, fakeLogger } from '../helpers';

const MEMBER = '111122223333';
const CENTRAL = '999988887777';
const ROOT_KEY = 'AKIAROOTKEYEXAMPLE01';
const OTHER_ROOT_KEY = 'AKIAROOTKEYEXAMPLE02';
const NOW = new Date('2026-11-20T10:00:01.500Z');
const ORGANIZATION = { ownAccountId: CENTRAL, memberRoleName: 'exposed-key-responder-member', partition: 'aws' };
const ON: RootKeyConfig = { dryRun: false, deleteMemberRootKeys: true, organization: ORGANIZATION };
const ROOT_CREDENTIALS = { AccessKeyId: 'ASIAROOTSESSION00001', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-11-20T10:05:01Z') };

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
let given: unknown[];

function deps(config: RootKeyConfig = ON): RootKeyDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    sts: new STSClient({}),
    iamWith: (credentials) => {
      given.push(credentials);
      return new IAMClient({ credentials });
    },
    logger: fakeLogger(),
    config,
    now: () => NOW,
  };
}

const rootIncident = (accountId = MEMBER) => anIncident({ accountId, accessKeyId: ROOT_KEY, userName: 'root', principalType: 'root', incidentId: `${ROOT_KEY}-20261120` });

beforeEach(() => {
  sts.reset();
  iam.reset();
  given = [];
  sts.on(AssumeRootCommand).resolves({ Credentials: ROOT_CREDENTIALS });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ROOT_KEY, Status: 'Active' }] });
  iam.on(DeleteAccessKeyCommand).resolves({});
});

describe('a member account\'s root key, deleteMemberRootKeys on', () => {
  it('assumes root in the member account with the IAMDeleteRootUserCredentials task policy, confirms the key is listed, then DELETES it (no UserName)', async () => {
    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(sts.commandCalls(AssumeRootCommand).map((c) => c.args[0].input)).toEqual([
      { TargetPrincipal: MEMBER, TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' }, DurationSeconds: 300 },
    ]);
    expect(given).toEqual([{ accessKeyId: 'ASIAROOTSESSION00001', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date('2026-11-20T10:05:01Z') }]);
    expect(iam.commandCalls(ListAccessKeysCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(iam.commandCalls(DeleteAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: ROOT_KEY }]);
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(result).toStrictEqual({
      action: 'deactivate-key',
      status: 'done',
      detail: `DELETED root access key ${ROOT_KEY} of member account ${MEMBER} (it was Active) through centralized root access (sts:AssumeRoot, task policy IAMDeleteRootUserCredentials): IRREVERSIBLE, a deleted key cannot be restored`,
      at: '2026-11-20T10:00:01.500Z',
      changes: [{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, before: 'Active', restorable: false }],
    });
  });

  it('deletes nothing when the root user\'s keys do not include the exposed one, and says which it lists', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: OTHER_ROOT_KEY, Status: 'Active' }] });

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    expect(result.status).toBe('skipped');
    expect(result.detail).toBe(
      `IAM does not list access key ${ROOT_KEY} among the root user's keys of member account ${MEMBER} (ListAccessKeys with the root session lists: ${OTHER_ROOT_KEY}): ` +
        'it is not that root user\'s key, or it was deleted already (by a person, or by an earlier attempt of this step); this attempt deleted nothing, a human must find whose key it is',
    );
    expect(result.changes).toBeUndefined();
  });

  it('says "none" when the root user has no key at all', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(result.detail).toContain('(ListAccessKeys with the root session lists: none)');
    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('reports a key gone between listing and deleting as already gone, with no change recorded', async () => {
    iam.on(DeleteAccessKeyCommand).rejects(awsError('NoSuchEntity', 'The Access Key with id AKIAROOTKEYEXAMPLE01 cannot be found.', 404));

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(result.status).toBe('already');
    expect(result.detail).toContain('was gone by the time it was to be deleted');
    expect(result.changes).toBeUndefined();
  });

  it('dry run: says what it would delete, opens no root session, deletes nothing', async () => {
    const result = await containRootKey(rootIncident(), 'deactivate-key', deps({ ...ON, dryRun: true }));

    expect(sts).not.toHaveReceivedCommand(AssumeRootCommand);
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.status).toBe('dry-run');
    expect(result.detail).toBe(
      `would DELETE root access key ${ROOT_KEY} of member account ${MEMBER} (IRREVERSIBLE: a deleted key cannot be restored) through centralized root access ` +
        '(sts:AssumeRoot, task policy IAMDeleteRootUserCredentials), once ListAccessKeys of the root user lists it; dry run: no root session was opened, nothing was deleted',
    );
  });

  it.each(['revoke-sessions', 'quarantine'] as const)('%s: changes nothing (the root user takes no IAM policy), the key is DeactivateKey\'s', async (action) => {
    const result = await containRootKey(rootIncident(), action, deps());

    expect(sts).not.toHaveReceivedAnyCommand();
    expect(result).toMatchObject({ action, status: 'skipped' });
    expect(result.detail).toContain('its access key is DELETED by DeactivateKey instead');
  });
});

describe('AssumeRoot or IAM refusing', () => {
  it.each([
    ['AccessDenied', 'User: arn:aws:sts::999988887777:assumed-role/contain is not authorized to perform: sts:AssumeRoot'],
    ['ValidationError', 'centralized root access is not enabled'],
    ['RegionDisabledException', 'STS is not activated in this region'],
  ])('AssumeRoot %s: escalates with the commands a human runs, nothing deleted', async (code, message) => {
    sts.on(AssumeRootCommand).rejects(awsError(code, message));

    const attempt = containRootKey(rootIncident(), 'deactivate-key', deps());

    await expect(attempt).rejects.toThrow(EscalationRequiredError);
    const err = (await attempt.catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`sts:AssumeRoot in member account ${MEMBER} was refused: ${code}: ${message}. Root access key ${ROOT_KEY} is NOT deleted.`);
    expect(err.message).toContain('AssumeRoot cannot target it');
    expect(err.message).toContain('  aws iam enable-organizations-root-credentials-management\n  aws iam enable-organizations-root-sessions\n');
    expect(err.message).toContain('aws organizations register-delegated-administrator --service-principal iam.amazonaws.com');
    expect(err.message).toContain(`  aws sts assume-root --region us-east-1 --target-principal ${MEMBER} --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials --duration-seconds 900\n`);
    expect(err.message).toContain(`  aws iam delete-access-key --access-key-id ${ROOT_KEY}\n`);
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('AssumeRoot throttled: ThrottledError, retried by the workflow', async () => {
    sts.on(AssumeRootCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const err = await containRootKey(rootIncident(), 'deactivate-key', deps()).catch((e: Error) => e);

    expect(err).toBeInstanceOf(ThrottledError);
    expect(err).toMatchObject({ name: 'ThrottledError', message: 'AssumeRoot: Throttling: Rate exceeded' });
  });

  it.each([
    ['failing on the server side', awsError('InternalFailure', 'oops', 500)],
    ['with the Lambda\'s credentials expired (ExpiredTokenException)', awsError('ExpiredTokenException', 'The security token included in the request is expired')],
  ])('AssumeRoot %s: TransientAwsError, retried by the workflow, nothing deleted', async (_name, error) => {
    sts.on(AssumeRootCommand).rejects(error);

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(TransientAwsError);
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('DeleteAccessKey refused with the root session (an SCP): escalates, the key is not deleted', async () => {
    iam.on(DeleteAccessKeyCommand).rejects(awsError('AccessDenied', 'explicit deny in a service control policy'));

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(
      `iam:DeleteAccessKey with the root session in member account ${MEMBER} was refused: AccessDenied: explicit deny in a service control policy. Root access key ${ROOT_KEY} is NOT deleted.`,
    );
  });

  it('an AssumeRoot answer without credentials: escalates, nothing deleted', async () => {
    sts.on(AssumeRootCommand).resolves({});

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(EscalationRequiredError);
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('a member account\'s root key: what the record and the audit log say', () => {
  const BY_HAND = [
    'A human must act:',
    '  # once, in the management account: trusted access for IAM, centralized root access, and the delegation to the responder\'s account',
    '  aws organizations enable-aws-service-access --service-principal iam.amazonaws.com',
    '  aws iam enable-organizations-root-credentials-management',
    '  aws iam enable-organizations-root-sessions',
    '  aws organizations register-delegated-administrator --service-principal iam.amazonaws.com --account-id <the responder\'s account>',
    '  # then, from the management account or the delegated administrator (a regional STS endpoint):',
    `  aws sts assume-root --region us-east-1 --target-principal ${MEMBER} --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials --duration-seconds 900`,
    '  # with the credentials it prints (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): check the key is listed, then delete it (IRREVERSIBLE)',
    '  aws iam list-access-keys',
    `  aws iam delete-access-key --access-key-id ${ROOT_KEY}`,
    `or sign in as the root user of account ${MEMBER} and deactivate, then delete, the key on its Security credentials page.`,
  ].join('\n');

  it('records an Inactive key as Inactive before it was deleted', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ROOT_KEY, Status: 'Inactive' }] });

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(result.detail).toBe(`DELETED root access key ${ROOT_KEY} of member account ${MEMBER} (it was Inactive) through centralized root access (sts:AssumeRoot, task policy IAMDeleteRootUserCredentials): IRREVERSIBLE, a deleted key cannot be restored`);
    expect(result.changes).toStrictEqual([{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, before: 'Inactive', restorable: false }]);
  });

  it('records no earlier status when IAM gives none it knows, and never a guessed one', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ROOT_KEY, Status: 'Expired' as never }] });

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(result.detail).toBe(`DELETED root access key ${ROOT_KEY} of member account ${MEMBER} through centralized root access (sts:AssumeRoot, task policy IAMDeleteRootUserCredentials): IRREVERSIBLE, a deleted key cannot be restored`);
    expect(result.changes).toStrictEqual([{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, restorable: false }]);
  });

  it('names every key IAM lists, comma-separated, leaving out an entry without an id', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ Status: 'Active' }, { AccessKeyId: OTHER_ROOT_KEY, Status: 'Active' }, { AccessKeyId: 'AKIAROOTKEYEXAMPLE03', Status: 'Inactive' }] });

    const result = await containRootKey(rootIncident(), 'deactivate-key', deps());

    expect(result.detail).toContain(`(ListAccessKeys with the root session lists: ${OTHER_ROOT_KEY}, AKIAROOTKEYEXAMPLE03)`);
    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('logs the deletion with the account and the key (the audit trail), and nothing refused', async () => {
    const d = deps();

    await containRootKey(rootIncident(), 'deactivate-key', d);

    expect(d.logger.info.mock.calls).toEqual([['member root key deleted', { accountId: MEMBER, accessKeyId: ROOT_KEY }]]);
    expect(d.logger.warn).not.toHaveBeenCalled();
  });

  it('logs what it left unchanged, with the action, the account and the reason', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    const d = deps();

    const result = await containRootKey(rootIncident(), 'deactivate-key', d);

    expect(d.logger.warn.mock.calls).toEqual([['root key: nothing changed', { action: 'deactivate-key', accountId: MEMBER, reason: result.detail }]]);
  });

  it('logs a dry run as what it would delete', async () => {
    const d = deps({ ...ON, dryRun: true });

    await containRootKey(rootIncident(), 'deactivate-key', d);

    expect(d.logger.info.mock.calls).toEqual([['dry run: would delete a member root key', { accountId: MEMBER, accessKeyId: ROOT_KEY }]]);
  });

  it('AssumeRoot refused: the whole message, with every command a human runs, and the AWS error kept as its cause', async () => {
    const refusal = awsError('AccessDenied', 'centralized root access is not enabled');
    sts.on(AssumeRootCommand).rejects(refusal);

    const err = await containRootKey(rootIncident(), 'deactivate-key', deps()).catch((e: Error) => e);

    expect(err).toBeInstanceOf(EscalationRequiredError);
    expect((err as Error).message).toBe(
      `sts:AssumeRoot in member account ${MEMBER} was refused: AccessDenied: centralized root access is not enabled. Root access key ${ROOT_KEY} is NOT deleted. ` +
        'Centralized root access may not be enabled, this account may be neither the management account nor the delegated administrator for IAM, ' +
        `an SCP may deny it, or account ${MEMBER} may be the management account (AssumeRoot cannot target it: only its root user can act there).\n${BY_HAND}`,
    );
    expect((err as Error).cause).toBe(refusal);
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('ListAccessKeys refused with the root session: names that call, deletes nothing', async () => {
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'not allowed'));

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(
      `iam:ListAccessKeys with the root session in member account ${MEMBER} was refused: AccessDenied: not allowed. Root access key ${ROOT_KEY} is NOT deleted.`,
    );
    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('an error without an AWS code is named Error', async () => {
    sts.on(AssumeRootCommand).rejects(new Error('socket hang up'));

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(`sts:AssumeRoot in member account ${MEMBER} was refused: Error: socket hang up.`);
  });

  it('an AssumeRoot answer without credentials: the message and the commands', async () => {
    sts.on(AssumeRootCommand).resolves({});

    await expect(containRootKey(rootIncident(), 'deactivate-key', deps())).rejects.toThrow(
      `sts:AssumeRoot into account ${MEMBER} returned no credentials: root access key ${ROOT_KEY} is NOT deleted.\n${BY_HAND}`,
    );
  });

  it('keeps the AWS error as the cause of a retried failure', async () => {
    const throttled = awsError('Throttling', 'Rate exceeded');
    const failing = awsError('InternalFailure', 'oops', 500);
    sts.on(AssumeRootCommand).rejectsOnce(throttled).rejectsOnce(failing);

    const first = await containRootKey(rootIncident(), 'deactivate-key', deps()).catch((e: Error) => e);
    const second = await containRootKey(rootIncident(), 'deactivate-key', deps()).catch((e: Error) => e);

    expect(first).toMatchObject({ name: 'ThrottledError', cause: throttled });
    expect(second).toMatchObject({ name: 'TransientAwsError', message: 'AssumeRoot: InternalFailure: oops', cause: failing });
  });
});

describe('where the responder never deletes a root key', () => {
  it('deleteMemberRootKeys off, member account: escalates as before, saying the deletion is off; no call at all', async () => {
    const result = await containRootKey(rootIncident(), 'deactivate-key', deps({ ...ON, deleteMemberRootKeys: false }));

    expect(sts).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toStrictEqual({
      action: 'deactivate-key',
      status: 'skipped',
      detail: 'root access keys cannot be deactivated from inside the account: the root user must act (see the notification); deleteMemberRootKeys is off, so the responder does not delete it through centralized root access',
      at: '2026-11-20T10:00:01.500Z',
    });
  });

  it('per-account mode: the same message as ever', async () => {
    const result = await containRootKey(rootIncident(), 'deactivate-key', deps({ dryRun: false, deleteMemberRootKeys: false }));

    expect(result.detail).toBe('root access keys cannot be deactivated from inside the account: the root user must act (see the notification)');
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  it('the central account\'s own root key: escalates (AssumeRoot reaches member accounts only), no call at all', async () => {
    const result = await containRootKey(rootIncident(CENTRAL), 'deactivate-key', deps());

    expect(sts).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.status).toBe('skipped');
    expect(result.detail).toBe(`root access key ${ROOT_KEY} is of account ${CENTRAL}, the responder's own (central) account: sts:AssumeRoot reaches member accounts only, so its root user must act; nothing was changed`);
  });
});
