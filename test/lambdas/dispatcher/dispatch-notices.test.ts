import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, awsError, healthEvent, KEY_ID, readEvent } from '../helpers';
import {
  cloudTrailQuarantineEvent,
  deps,
  iam,
  published,
  publishedAttributes,
  resetAws,
  sfn,
  sns,
  startedExecutions,
  TOPIC_ARN,
  trustedAdvisorEvent,
} from './fixtures';

beforeEach(() => resetAws());

const noSuchKey = () => new NoSuchEntityException({ message: 'The Access Key with id cannot be found', $metadata: { httpStatusCode: 404 } });

describe('dispatch: an event of another account', () => {
  it('is refused, with a message to people naming both accounts, and nothing is read or started', async () => {
    const event = trustedAdvisorEvent();
    event.account = '999988887777';

    const result = await dispatch(event, deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(published()).toEqual([
      {
        topicArn: TOPIC_ARN,
        subject: '[REFUSED] exposed-key report for account 999988887777 refused by the responder of 123456789012',
        message: expect.stringContaining('The responder of account 123456789012 received a report about account 999988887777. It acts in its own account only: nothing was changed.'),
      },
    ]);
    expect(publishedAttributes()).toEqual([{ 'exposed-key-responder.kind': { DataType: 'String', StringValue: 'notice' } }]);
    expect(result.notified).toEqual([
      { reason: 'refused', subject: '[REFUSED] exposed-key report for account 999988887777 refused by the responder of 123456789012', items: [], messageId: 'msg-1' },
    ]);
  });
});

describe('dispatch: exposures that resolve to no key of this account are told to people', () => {
  it('tells people about a key IAM does not know, with the commands to check it', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(published()[0].subject).toBe('[UNRESOLVED] exposed-key report in 123456789012 names no key the responder can contain');
    expect(published()[0].message).toContain(`1. access key ${KEY_ID}: IAM knows no user with this key (NoSuchEntity)`);
    expect(published()[0].message).toContain(`   $ aws iam get-access-key-last-used --access-key-id ${KEY_ID}`);
    expect(published()[0].message).toContain('User named by the report (a hint: IAM decides): ci-deploy');
    expect(result.notified.map((n) => n.items)).toEqual([['unknown-key']]);
  });

  it.each([
    ['ASIAY34FZKBOKMUTVV7A', 'temporary-credentials', 'an ASIA... id is a temporary session credential'],
    ['akiaiosfodnn7example', 'lower-case-key', 'IAM access key ids are upper case'],
  ])('tells people about %s (%s) without asking IAM', async (key, reason, finding) => {
    const result = await dispatch(trustedAdvisorEvent(key), deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(result.notified.map((n) => n.items)).toEqual([[reason]]);
    expect(published()[0].message).toContain(finding);
  });

  it('names the owning account of another account\'s key (AccessDenied, then sts:GetAccessKeyInfo)', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    const d = deps();
    d.keyAccount.mockResolvedValue('210987654321');

    const result = await dispatch(trustedAdvisorEvent(KEY_ID), d);

    expect(d.keyAccount).toHaveBeenCalledWith(KEY_ID);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(published()[0].message).toContain(`access key ${KEY_ID}: STS says this key belongs to account 210987654321, not to this one: nothing was changed here.`);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'other-account-key' }]);
  });

  it('says so when IAM refuses and STS cannot name the account either', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    const d = deps();
    d.keyAccount.mockRejectedValue(awsError('AccessDenied', 'no sts', 403));

    const result = await dispatch(trustedAdvisorEvent(KEY_ID), d);

    expect(result.notified.map((n) => n.items)).toEqual([['access-denied']]);
    expect(published()[0].message).toContain('STS could not name its account');
  });

  it('contains the key on the user the report named when IAM refuses GetAccessKeyLastUsed but lists the key under that user', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });
    const d = deps();
    d.keyAccount.mockResolvedValue(ACCOUNT_ID);

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), d);

    expect(startedExecutions().map((e) => [e.incident.accessKeyId, e.incident.userName, e.incident.reportedUserName, e.incident.ownerLookupError])).toEqual([[KEY_ID, 'ci-deploy', undefined, 'AccessDenied']]);
    expect(result.notified).toEqual([]);
  });

  it('contains the key on the user the report named when IAM answers NoSuchEntity to GetAccessKeyLastUsed but lists the key under that user', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.ownerLookupError])).toEqual([['ci-deploy', 'NoSuchEntityException']]);
    expect(result.notified).toEqual([]);
  });

  it('says IAM knows no such key when GetAccessKeyLastUsed answers NoSuchEntity and the named user does not list it', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());
    iam.on(ListAccessKeysCommand, { UserName: 'alice' }).resolves({ AccessKeyMetadata: [] });

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'alice'), deps());

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result.notified.map((n) => n.items)).toEqual([['unknown-key']]);
  });

  it('leaves the user the report named alone when IAM refuses GetAccessKeyLastUsed and does not list the key under that user', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    iam.on(ListAccessKeysCommand, { UserName: 'alice' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' }] });
    const d = deps();
    d.keyAccount.mockResolvedValue(ACCOUNT_ID);

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'alice'), d);

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result.notified.map((n) => n.items)).toEqual([['access-denied']]);
  });

  it('tells people about a Health CREDENTIALS_EXPOSED event with no entities, with the Health commands', async () => {
    const event = healthEvent({ eventArn: 'arn:aws:health:us-east-1::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x1', affectedEntities: [] });

    const result = await dispatch(event, deps());

    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.notified.map((n) => [n.reason, n.items])).toEqual([['unresolved', ['nothing-named']]]);
    expect(published()[0].message).toContain(
      '$ aws health describe-affected-entities --region us-east-1 --filter eventArns=arn:aws:health:us-east-1::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x1',
    );
  });

  it('tells people about a Health event naming a role, and guesses no user', async () => {
    const event = healthEvent({ affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:role/deploy` }] });

    const result = await dispatch(event, deps());

    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.skipped).toEqual([{ about: `role arn:aws:iam::${ACCOUNT_ID}:role/deploy`, reason: 'role' }]);
    expect(published()[0].message).toContain('$ aws iam get-role --role-name deploy');
  });

  it('tells people about a quarantined user without an active key', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Inactive' }] });

    const result = await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps());

    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(result.skipped).toEqual([{ about: 'user ci-deploy', reason: 'no-active-key' }]);
    expect(published()[0].message).toContain('$ aws iam list-access-keys --user-name ci-deploy');
  });

  it('tells people about a quarantined user IAM does not know', async () => {
    iam.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ message: 'The user with name ghost cannot be found.', $metadata: {} }));

    const result = await dispatch(cloudTrailQuarantineEvent('ghost'), deps());

    expect(result.skipped).toEqual([{ about: 'user ghost', reason: 'user-not-found' }]);
  });

  it('does not guess at a CloudTrail record whose user name breaks IAM\'s grammar', async () => {
    const result = await dispatch(cloudTrailQuarantineEvent('bob; rm -rf /'), deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(result.notified.map((n) => n.items)).toEqual([['nothing-named']]);
    expect(published()[0].message).toContain('Not used: user name "bob; rm -rf /" is not an IAM user name: not used');
  });
});

describe('dispatch: what events really carry', () => {
  it('accepts null for Trusted Advisor\'s optional fields and the envelope\'s region and resources', async () => {
    const event = trustedAdvisorEvent();
    Object.assign(event.detail['check-item-detail'], { Location: null, 'Case ID': null, 'Fraud Type': null, 'Time Updated': null });
    Object.assign(event, { region: null, resources: null, version: null });
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(event, deps());

    const incident = startedExecutions()[0].incident;
    expect(incident).toMatchObject({ userName: 'ci-deploy', detail: 'Trusted Advisor "Exposed Access Keys" (fraud type: unknown)', detectedAt: '2017-06-10T03:16:34Z' });
    expect(incident).not.toHaveProperty('leakLocation');
    expect(incident).not.toHaveProperty('awsCaseId');
  });

  it('bounds over-long strings before they enter the workflow state', async () => {
    const event = trustedAdvisorEvent();
    Object.assign(event.detail['check-item-detail'], { Location: `https://x/${'a'.repeat(300_000)}`, 'Case ID': 'c'.repeat(10_000), 'Fraud Type': 'f\n'.repeat(5_000) });
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(event, deps());

    const input = sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '';
    const incident = startedExecutions()[0].incident;
    expect(input.length).toBeLessThan(4_000);
    expect(incident.leakLocation).toHaveLength(1024);
    expect(incident.awsCaseId).toHaveLength(256);
    expect(incident.detail).not.toContain('\n');
  });

  it('does not use a Trusted Advisor user name that breaks IAM\'s grammar, and contains the key\'s owner', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(trustedAdvisorEvent(KEY_ID, `${'x'.repeat(65)}`), deps());

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'ci-deploy' });
    expect(startedExecutions()[0].incident).not.toHaveProperty('reportedUserName');
  });
});

describe('dispatch: sending the message', () => {
  it('fails the invocation when the topic cannot take the message, so EventBridge keeps the event', async () => {
    sns.on(PublishCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const run = dispatch(healthEvent({ affectedEntities: [] }), deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toThrow('SNS Publish "[UNRESOLVED]');
  });

  it('marks every notice for the slack Lambda\'s subscription, on the topic only (the dispatcher invokes no Lambda)', async () => {
    const result = await dispatch(healthEvent({ affectedEntities: [] }), deps());

    expect(published().map((p) => p.topicArn)).toEqual([TOPIC_ARN]);
    expect(publishedAttributes()).toEqual([{ 'exposed-key-responder.kind': { DataType: 'String', StringValue: 'notice' } }]);
    expect(result.notified.map((n) => n.messageId)).toEqual(['msg-1']);
  });

  it('never logs the whole event at INFO', async () => {
    const d = deps();
    const event = readEvent('health-credentials-exposed-2016-sample.json');
    event.account = ACCOUNT_ID;
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'legacy-app' });

    await dispatch(event, d);

    const logged = JSON.stringify(d.logger.info.mock.calls);
    expect(logged).not.toContain('A description of the event will be provided here');
  });
});

describe('dispatch: a Health event with more entities than it reads', () => {
  it('contains the keys it read and tells people how many it did not read', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
    const entities = Array.from({ length: 103 }, (_, i) => ({ entityValue: `AKIAMANY${String(i).padStart(12, '0')}` }));

    const result = await dispatch(healthEvent({ affectedEntities: entities }), deps());

    expect(result.started).toHaveLength(100);
    expect(result.skipped).toEqual([{ about: '3 more affected entities', reason: 'entities-not-read' }]);
    expect(published()[0].subject).toMatch(/^\[UNRESOLVED\] /);
  });
});

describe('dispatch: a Health event naming a user and no key', () => {
  it('contains nothing, and says which user the event named', async () => {
    const result = await dispatch(healthEvent({ affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy` }] }), deps());

    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.skipped).toEqual([{ about: 'the report', reason: 'nothing-named' }]);
    expect(published()[0].message).toContain('the event names user ci-deploy but no access key: the responder does not guess which key leaked.');
  });
});
