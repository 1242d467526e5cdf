import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHandler } from '../../../lambdas/dispatcher/handler';
import { KEY_ID, organizationDispatcherEnv, readEvent } from '../helpers';

const CENTRAL = '999988887777';
const MEMBER = '123456789012';
const ENV = organizationDispatcherEnv(CENTRAL, MEMBER);
const iam = mockClient(IAMClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

function trustedAdvisorEvent(account: unknown, userName = 'ci-deploy'): Record<string, any> {
  const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
  event.account = account;
  event.detail['check-item-detail']['Access Key ID'] = KEY_ID;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

beforeEach(() => {
  for (const m of [iam, sfn, sns, sts]) m.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAMEMBERSESSION001', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
  iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active', UserName: 'ci-deploy' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:999988887777:execution:x:y' });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('dispatcher, organization mode', () => {
  it('finds the key\'s owner in the member account through the member role, and starts a response for that account', async () => {
    const result = await createHandler(ENV)(trustedAdvisorEvent(MEMBER));

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-key-responder-member` });
    const lookup = iam.commandCalls(GetAccessKeyLastUsedCommand)[0];
    await expect((lookup.thisValue as IAMClient).config.credentials()).resolves.toMatchObject({ accessKeyId: 'ASIAMEMBERSESSION001' });
    expect(result.started.map((s) => [s.incident.accountId, s.incident.userName, s.incident.protectedPrincipal])).toEqual([[MEMBER, 'ci-deploy', false]]);
  });

  it('applies the protected entries of the member account', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'break-glass' });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active', UserName: 'break-glass' }] });

    const result = await createHandler(ENV)(trustedAdvisorEvent(MEMBER, 'break-glass'));

    expect(result.started.map((s) => s.incident.protectedPrincipal)).toEqual([true]);
  });

  it('acts in its own account with its own credentials', async () => {
    await createHandler(ENV)(trustedAdvisorEvent(CENTRAL));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('refuses an account where the member role cannot be assumed, saying why, and changes nothing', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));

    const result = await createHandler(ENV)(trustedAdvisorEvent('333333333333'));

    expect(result.started).toEqual([]);
    expect(result.notified.map((n) => n.reason)).toEqual(['refused']);
    expect(iam.calls()).toEqual([]);
    const message = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(message).toContain('the responder could not assume arn:aws:iam::333333333333:role/exposed-key-responder-member');
  });

  it('rejects an account that is not a string (as in per-account mode: the event goes to the dead-letter queue), assuming nothing', async () => {
    await expect(createHandler(ENV)(trustedAdvisorEvent(123456789012))).rejects.toThrow('is not an exposed-key report: account');

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(iam.calls()).toEqual([]);
  });

  it.each([['12345'], ['123456789012 '], ['../123456789012']])('never assumes a role for the account %p: refused as another account', async (account) => {
    const result = await createHandler(ENV)(trustedAdvisorEvent(account));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(iam.calls()).toEqual([]);
    expect(result.started).toEqual([]);
  });
});
