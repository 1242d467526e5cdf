// A report by hand in organization mode: the report bus is the central account's, so the event's
// account is the reporter's; the account acted in is the one STS says owns the key.
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHandler } from '../../../lambdas/dispatcher/handler';
import { awsError, KEY_ID, organizationDispatcherEnv } from '../helpers';

const CENTRAL = '999988887777';
const MEMBER = '123456789012';
const OUTSIDER = '333333333333';
const NAMED = '444455556666';
const ENV = organizationDispatcherEnv(CENTRAL, MEMBER);
const PER_ACCOUNT_ENV = { ...ENV, MEMBER_ROLE_NAME: '' };
const MEMBER_SESSION_KEY = 'ASIAMEMBERSESSION001';
const iam = mockClient(IAMClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

/** A report by hand as the report bus delivers it: the account is the reporter's (the central one). */
function reportByHand(detail: Record<string, unknown>, account: unknown = CENTRAL): Record<string, unknown> {
  return {
    version: '0', id: 'evt-report-1', 'detail-type': 'Exposed Access Key Reported', source: 'exposed-key-responder',
    account, time: '2026-11-20T10:00:00Z', region: 'us-east-1', resources: [], detail: { accessKeyId: KEY_ID, ...detail },
  };
}

/** The key id of the credentials the client of one call used: the member session's, or the Lambda's own. */
async function credentialsOf(call: { thisValue: unknown }): Promise<string> {
  return (await (call.thisValue as IAMClient).config.credentials()).accessKeyId;
}

function message(): { subject: string; text: string } {
  const input = sns.commandCalls(PublishCommand)[0].args[0].input;
  return { subject: input.Subject!, text: input.Message! };
}

beforeEach(() => {
  for (const m of [iam, sfn, sns, sts]) m.reset();
  sts.on(GetAccessKeyInfoCommand).resolves({ Account: MEMBER });
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: MEMBER_SESSION_KEY, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
  iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active', UserName: 'ci-deploy' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `arn:aws:states:us-east-1:${CENTRAL}:execution:x:y` });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('organization mode, a report by hand of a member account\'s key', () => {
  it('acts in the account STS names, through its member role, and starts a response for that account', async () => {
    const result = await createHandler(ENV)(reportByHand({ userName: 'ci-deploy' }));

    expect(sts).toHaveReceivedCommandWith(GetAccessKeyInfoCommand, { AccessKeyId: KEY_ID });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => [c.args[0].input.RoleArn, c.args[0].input.RoleSessionName])).toEqual([
      [`arn:aws:iam::${MEMBER}:role/exposed-key-responder-member`, 'exposed-key-responder-dispatch-evt-report-1'],
    ]);
    await expect(credentialsOf(iam.commandCalls(GetAccessKeyLastUsedCommand)[0])).resolves.toBe(MEMBER_SESSION_KEY);
    expect(result.started.map((s) => [s.incident.accountId, s.incident.userName, s.incident.source, s.incident.protectedPrincipal])).toEqual([[MEMBER, 'ci-deploy', 'manual', false]]);
    expect(result.started[0].incident).not.toHaveProperty('reportedAccountId');
    expect(result.notified).toEqual([]);
  });

  it('acts in the account STS names when the report names another, and the incident keeps the named one (nothing is done there)', async () => {
    const result = await createHandler(ENV)(reportByHand({ accountId: NAMED }));

    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/exposed-key-responder-member`]);
    expect(result.started.map((s) => [s.incident.accountId, s.incident.reportedAccountId])).toEqual([[MEMBER, NAMED]]);
  });

  it('keeps no named account when the report names the account STS says', async () => {
    const result = await createHandler(ENV)(reportByHand({ accountId: MEMBER }));

    expect(result.started.map((s) => s.incident.accountId)).toEqual([MEMBER]);
    expect(result.started[0].incident).not.toHaveProperty('reportedAccountId');
  });

  it('applies the protected entries of the key\'s account', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'break-glass' });

    const result = await createHandler(ENV)(reportByHand({}));

    expect(result.started.map((s) => [s.incident.accountId, s.incident.userName, s.incident.protectedPrincipal])).toEqual([[MEMBER, 'break-glass', true]]);
  });

  it('refuses a key STS says is of an account outside the organization: nothing read or started there, people told which account and why', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: OUTSIDER });
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole'));

    const result = await createHandler(ENV)(reportByHand({ userName: 'ci-deploy', accountId: MEMBER, reason: 'found in a gist' }));

    expect(result.started).toEqual([]);
    expect(result.skipped).toEqual([{ about: `account ${OUTSIDER}`, reason: 'event of another account' }]);
    expect(iam.calls()).toEqual([]);
    expect(sfn.calls()).toEqual([]);
    const { subject, text } = message();
    expect(subject).toBe(`[REFUSED] exposed-key report for account ${OUTSIDER} refused by the responder of ${CENTRAL}`);
    expect(text.split('\n')).toContain('Report: Reported by hand: a key of another account');
    expect(text).toContain(`Access key ids named: ${KEY_ID}`);
    expect(text).toContain(`Account named by the report (a hint: the key decides): ${MEMBER}`);
    expect(text).toContain(`Account of the key (sts:GetAccessKeyInfo): ${OUTSIDER}`);
    expect(text).toContain(`the responder could not assume arn:aws:iam::${OUTSIDER}:role/exposed-key-responder-member`);
    expect(text).toContain(`nothing was done in account ${OUTSIDER}`);
  });

  it('never assumes a role in the account the report names', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: OUTSIDER });
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));

    await createHandler(ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${OUTSIDER}:role/exposed-key-responder-member`]);
  });

  it('acts in its own account with its own credentials when STS says the key is its own, even when the report names a member', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: CENTRAL });

    const result = await createHandler(ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    await expect(credentialsOf(iam.commandCalls(GetAccessKeyLastUsedCommand)[0])).resolves.not.toBe(MEMBER_SESSION_KEY);
    expect(result.started.map((s) => [s.incident.accountId, s.incident.reportedAccountId])).toEqual([[CENTRAL, MEMBER]]);
  });

  it.each([[undefined], ['12345'], ['']])('acts in its own account, assuming nothing, when STS answers no account id (%p)', async (account) => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: account });

    const result = await createHandler(ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(result.started.map((s) => s.incident.accountId)).toEqual([CENTRAL]);
  });

  it('does not fall back to the named account when STS refuses: its own IAM decides, and a key it cannot read is only told to people', async () => {
    sts.on(GetAccessKeyInfoCommand).rejects(awsError('AccessDenied', 'an SCP denies sts:GetAccessKeyInfo'));
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied'));

    const result = await createHandler(ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(result.started).toEqual([]);
    expect(result.notified.map((n) => n.reason)).toEqual(['unresolved']);
    expect(sfn.calls()).toEqual([]);
  });

  it('fails the invocation (EventBridge retries it) when STS is throttled, starting and telling nothing', async () => {
    sts.on(GetAccessKeyInfoCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(createHandler(ENV)(reportByHand({}))).rejects.toMatchObject({ name: 'TransientAwsError', message: expect.stringContaining(`GetAccessKeyInfo ${KEY_ID}: Throttling`) });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(iam.calls()).toEqual([]);
    expect(sfn.calls()).toEqual([]);
    expect(sns.calls()).toEqual([]);
  });

  it('rejects a report naming a malformed account, asking nothing of STS', async () => {
    await expect(createHandler(ENV)(reportByHand({ accountId: '1234' }))).rejects.toThrow('detail.accountId');

    expect(sts.calls()).toEqual([]);
    expect(iam.calls()).toEqual([]);
  });

  it('asks STS nothing for a report naming a temporary key: it is only told to people', async () => {
    const result = await createHandler(ENV)(reportByHand({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE' }));

    expect(sts.calls()).toEqual([]);
    expect(result.notified.map((n) => n.reason)).toEqual(['unresolved']);
  });

  it('asks STS nothing before IAM for AWS\'s own signals of its own account', async () => {
    const event = { ...reportByHand({}), source: 'aws.trustedadvisor', 'detail-type': 'Trusted Advisor Check Item Refresh Notification', detail: { 'check-name': 'Exposed Access Keys', status: 'ERROR', 'check-item-detail': { 'Access Key ID': KEY_ID, 'User Name (IAM or Root)': 'ci-deploy' } } };

    const result = await createHandler(ENV)(event);

    expect(sts.calls()).toEqual([]);
    expect(result.started.map((s) => s.incident.accountId)).toEqual([CENTRAL]);
  });
});

describe('per-account mode, a report by hand: as before', () => {
  it('never asks STS first nor assumes a role: a key of another account is told to people, nothing started', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied'));

    const result = await createHandler(PER_ACCOUNT_ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(iam.commandCalls(GetAccessKeyLastUsedCommand)).toHaveLength(1);
    expect(sts.commandCalls(GetAccessKeyInfoCommand)).toHaveLength(1);
    expect(result.started).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'other-account-key' }]);
    expect(message().text).toContain(`Account named by the report (a hint: the key decides): ${MEMBER}`);
  });

  it('contains a key of its own account that the report said was of another, and the incident keeps the named account', async () => {
    const result = await createHandler(PER_ACCOUNT_ENV)(reportByHand({ accountId: MEMBER }));

    expect(sts.calls()).toEqual([]);
    expect(result.started.map((s) => [s.incident.accountId, s.incident.reportedAccountId])).toEqual([[CENTRAL, MEMBER]]);
  });
});
