import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAccountAuthorizationDetailsCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { awsError, healthEvent, ACCOUNT_ID } from '../helpers';
import { cloudtrail, deps, iam, iamQuarantineEvent, lookupEntry, published, resetAws, startedExecutions } from './fixtures';

const QUARANTINE_V2 = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2';

/**
 * The account: alice quarantined just now (managed V3), carol just now (legacy inline), bob long
 * ago (V2, no attach in the window), erin carries an unrelated inline policy, dave a customer
 * policy named like the AWS one.
 */
function account(): void {
  cloudtrail
    .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }] })
    .resolvesOnce({
      NextToken: 'page-2',
      Events: [
        lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' } }),
        lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'erin', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }),
      ],
    })
    .resolvesOnce({
      Events: [
        lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'dave', policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/AWSCompromisedKeyQuarantineV2` } }),
        lookupEntry({ eventName: 'AttachUserPolicy', errorCode: 'AccessDenied', requestParameters: { userName: 'erin', policyArn: QUARANTINE_V2 } }),
        lookupEntry({ eventName: 'AttachUserPolicy', recipientAccountId: '999988887777', requestParameters: { userName: 'erin', policyArn: QUARANTINE_V2 } }),
      ],
    });
  cloudtrail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutUserPolicy' }] }).resolves({
    Events: [
      lookupEntry({ eventName: 'PutUserPolicy', requestParameters: { userName: 'carol', policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' } }),
      lookupEntry({ eventName: 'PutUserPolicy', requestParameters: { userName: 'erin', policyName: 'team-inline' } }),
    ],
  });
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: [
      { UserName: 'alice', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV3', PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }] },
      { UserName: 'bob', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2', PolicyArn: QUARANTINE_V2 }] },
      { UserName: 'carol', UserPolicyList: [{ PolicyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE', PolicyDocument: '%7B%7D' }] },
      { UserName: 'erin', UserPolicyList: [{ PolicyName: 'team-inline', PolicyDocument: '%7B%7D' }] },
      { UserName: 'dave', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2', PolicyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/AWSCompromisedKeyQuarantineV2` }] },
    ],
  });
  const keys: Record<string, string> = { alice: 'AKIAALICE00000000001', bob: 'AKIABOB0000000000001', carol: 'AKIACAROL00000000001', erin: 'AKIAERIN000000000001', dave: 'AKIADAVE000000000001' };
  for (const [user, key] of Object.entries(keys)) iam.on(ListAccessKeysCommand, { UserName: user }).resolves({ AccessKeyMetadata: [{ AccessKeyId: key, Status: 'Active' }] });
}

beforeEach(() => resetAws());

describe('dispatch: AWS_RISK_IAM_QUARANTINE naming nothing', () => {
  it('contains only the users whose AWS quarantine policy CloudTrail shows attached within the window', async () => {
    account();

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.accessKeyId, e.incident.source])).toEqual([
      ['alice', 'AKIAALICE00000000001', 'health'],
      ['carol', 'AKIACAROL00000000001', 'health'],
    ]);
    expect(result.started).toHaveLength(2);
  });

  it('names a user quarantined earlier, with its active key, in a message, and leaves it unchanged', async () => {
    account();

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(startedExecutions().map((e) => e.incident.userName)).not.toContain('bob');
    expect(result.notified.map((n) => [n.reason, n.items])).toEqual([['check', ['not-recently-quarantined']]]);
    const [message] = published();
    expect(message.subject).toBe('[CHECK] exposed-key response in 123456789012: users need a look');
    expect(message.message).toContain('1. user bob: carries an AWS quarantine policy attached earlier than the window: left unchanged. Active keys: AKIABOB0000000000001.');
    expect(message.message).toContain('$ aws iam update-access-key --user-name bob --access-key-id AKIABOB0000000000001 --status Inactive');
    expect(message.message).toContain('CloudTrail shows events 5 to 15 minutes late');
    expect(message.message).toContain("The responder's CloudTrail quarantine rule reacts to each new attachment on its own.");
  });

  it('names a user quarantined earlier whom IAM no longer knows with no key and no key command', async () => {
    account();
    iam.on(ListAccessKeysCommand, { UserName: 'bob' }).rejects(awsError('NoSuchEntity', 'The user with name bob cannot be found.', 404));

    await dispatch(iamQuarantineEvent(), deps());

    const lines = (published()[0].message ?? '').split('\n');
    expect(lines).toContain('1. user bob: carries an AWS quarantine policy attached earlier than the window: left unchanged. Active keys: none.');
    expect(lines.filter((l) => l.includes('$ ') && l.includes('bob'))).toEqual(['   $ aws iam list-attached-user-policies --user-name bob']);
  });

  it('leaves a user with an unrelated inline policy, and one with a look-alike customer policy, untouched and unnamed', async () => {
    account();

    await dispatch(iamQuarantineEvent(), deps());

    expect(startedExecutions().map((e) => e.incident.userName)).toEqual(['alice', 'carol']);
    expect(iam).not.toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'erin' });
    expect(iam).not.toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'dave' });
    expect(published()[0].message).not.toMatch(/erin|dave/);
  });

  it('reads CloudTrail by event name, paged, from the window before the event to 15 minutes after, spacing the calls', async () => {
    account();
    const d = deps({ quarantineWindowHours: 6 });

    await dispatch(iamQuarantineEvent(), d);

    const calls = cloudtrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }], NextToken: undefined }),
      expect.objectContaining({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }], NextToken: 'page-2' }),
      expect.objectContaining({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutUserPolicy' }], NextToken: undefined }),
    ]);
    expect(calls[0].StartTime).toEqual(new Date('2022-12-21T08:46:18.719Z'));
    expect(calls[0].EndTime).toEqual(new Date('2022-12-21T15:01:18.719Z'));
    expect(d.sleep.mock.calls).toEqual([[600], [600]]);
  });

  it('contains nobody, and says so with what to check, when CloudTrail shows no recent quarantine', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      UserDetailList: [{ UserName: 'bob', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2', PolicyArn: QUARANTINE_V2 }] }],
    });
    iam.on(ListAccessKeysCommand, { UserName: 'bob' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIABOB0000000000001', Status: 'Active' }] });

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.notified.map((n) => [n.reason, n.items])).toEqual([['unresolved', ['no-recent-quarantine', 'not-recently-quarantined']]]);
    expect(published()[0].message).toContain('$ aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=AttachUserPolicy');
  });

  it('turns throttling of LookupEvents (after the SDK\'s retries) into TransientAwsError', async () => {
    cloudtrail.on(LookupEventsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    const run = dispatch(iamQuarantineEvent(), deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toThrow('CloudTrail LookupEvents AttachUserPolicy: ThrottlingException');
  });
});

describe('dispatch: AWS_RISK_IAM_QUARANTINE naming a user', () => {
  it('contains the named user\'s active keys when CloudTrail shows AWS quarantined it within the window', async () => {
    account();

    await dispatch(healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/alice` }] }), deps());

    expect(startedExecutions().map((e) => e.incident.userName)).toEqual(['alice']);
  });

  it.each(['bob', 'erin'])('leaves %s (quarantined earlier, or never) unchanged and tells people', async (user) => {
    account();

    const result = await dispatch(healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/${user}` }] }), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `user ${user}`, reason: 'not-recently-quarantined' }]);
    expect(published()[0].message).toContain('CloudTrail shows no AWS quarantine policy attached to it in the 24 h before the event: left unchanged.');
    // Only the command to look at it: the responder read no key of a user it leaves alone.
    expect((published()[0].message ?? '').split('\n').filter((l) => l.includes('$ '))).toEqual([`   $ aws iam list-attached-user-policies --user-name ${user}`]);
  });
});

describe('dispatch: more recently quarantined users than one event contains', () => {
  it('contains the first 50 and names the others, with the command, in a message', async () => {
    const users = Array.from({ length: 52 }, (_, i) => `u${i}`);
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }] })
      .resolves({ Events: users.map((u) => lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: u, policyArn: QUARANTINE_V2 } })) });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [] });
    iam.on(ListAccessKeysCommand).callsFake((input: { UserName: string }) => ({ AccessKeyMetadata: [{ AccessKeyId: `AKIA${input.UserName.toUpperCase().padEnd(16, '0')}`, Status: 'Active' }] }));

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(result.started).toHaveLength(50);
    expect(result.skipped).toEqual([
      { about: 'user u50', reason: 'too-many-users' },
      { about: 'user u51', reason: 'too-many-users' },
    ]);
    expect(published()[0].message).toContain('$ aws iam list-access-keys --user-name u51');
  });
});

describe('dispatch: more attach events in the window than it reads', () => {
  it('stops after 10 pages of each event name and tells people the oldest were not read', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({
      NextToken: 'more',
      Events: [lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'alice', policyArn: QUARANTINE_V2 } })],
    });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [] });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' }] });

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(20);
    expect(result.started.map((s) => s.incident.userName)).toEqual(['alice']);
    expect(result.notified.map((n) => [n.reason, n.items])).toEqual([['check', ['lookup-truncated']]]);
  });
});
