// How the dispatcher reads IAM's answers about owners and keys (each error code in both the forms
// IAM uses), the facts a message to people carries, and the users it names or counts.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAccessKeyLastUsedCommand, GetAccountAuthorizationDetailsCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, awsError, healthEvent, KEY_ID, OTHER_KEY_ID } from '../helpers';
import { cloudtrail, cloudTrailQuarantineEvent, deps, iam, iamQuarantineEvent, lookupEntry, published, resetAws, sns, startedExecutions, trustedAdvisorEvent } from './fixtures';

const V3 = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3';

beforeEach(() => resetAws());

describe('the owner of a key, from each answer IAM gives', () => {
  it.each(['NoSuchEntity', 'NoSuchEntityException'])('reads %s from GetAccessKeyLastUsed as "no user of this account has the key", and logs it', async (code) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError(code, 'The Access Key with id cannot be found', 404));
    const d = deps();

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), d);

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'unknown-key' }]);
    expect(d.logger.warn).toHaveBeenCalledWith('access key not found in IAM', { accessKeyId: KEY_ID });
  });

  it('reads an answer of GetAccessKeyLastUsed without a user name as "no user of this account has the key"', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ AccessKeyLastUsed: { Region: 'N/A', ServiceName: 'N/A', LastUsedDate: undefined } } as never);

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'unknown-key' }]);
  });

  it.each(['AccessDenied', 'AccessDeniedException'])('asks STS whose key it is when IAM answers %s', async (code) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError(code, 'not authorized', 403));
    const d = deps();
    d.keyAccount.mockResolvedValue('999988887777');

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), d);

    expect(d.keyAccount).toHaveBeenCalledWith(KEY_ID);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'other-account-key' }]);
  });

  it('does not take an account id of 13 digits from STS for another account', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    const d = deps();
    d.keyAccount.mockResolvedValue('9999888877776');

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'root'), d);

    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'access-denied' }]);
  });
});

describe('the owner when IAM refuses GetAccessKeyLastUsed', () => {
  it('names the account STS gives in the message when it is this one', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    const d = deps();
    d.keyAccount.mockResolvedValue(ACCOUNT_ID);

    await dispatch(trustedAdvisorEvent(KEY_ID, 'root'), d);

    expect(published()[0].message).toContain(`IAM refused to say who owns this key (AccessDenied); STS says it belongs to account ${ACCOUNT_ID}.`);
  });

  it('contains nothing, and does not fail, when the event names no user', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));

    const result = await dispatch(healthEvent({ affectedEntities: [{ entityValue: KEY_ID }] }), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'access-denied' }]);
    expect(iam).not.toHaveReceivedCommand(ListAccessKeysCommand);
  });

  it('contains the key on the named user when IAM lists it among the user\'s two keys', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: OTHER_KEY_ID, Status: 'Active' }, { AccessKeyId: KEY_ID, Status: 'Active' }] });

    await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(startedExecutions().map((e) => [e.incident.accessKeyId, e.incident.userName, e.incident.principalType])).toEqual([[KEY_ID, 'ci-deploy', 'user']]);
  });

  it('sets no reported user when IAM says root and the event says root in its own words', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });

    await dispatch(trustedAdvisorEvent(KEY_ID, '<root_account>'), deps());

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'root', principalType: 'root' });
    expect(startedExecutions()[0].incident).not.toHaveProperty('reportedUserName');
  });
});

describe('the keys of a quarantined user, from each answer IAM gives', () => {
  it.each(['NoSuchEntity', 'NoSuchEntityException'])('reads %s from ListAccessKeys as "IAM knows no such user"', async (code) => {
    iam.on(ListAccessKeysCommand).rejects(awsError(code, 'The user with name ci-deploy cannot be found.', 404));

    const result = await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: 'user ci-deploy', reason: 'user-not-found' }]);
  });

  it('contains only the active keys IAM names, skipping an entry without a key id', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ Status: 'Active' }, { AccessKeyId: OTHER_KEY_ID, Status: 'Active' }, { AccessKeyId: KEY_ID }] });

    await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps());

    expect(startedExecutions().map((e) => e.incident.accessKeyId)).toEqual([OTHER_KEY_ID]);
  });

  it('reads every page of ListAccessKeys', async () => {
    iam
      .on(ListAccessKeysCommand)
      .resolvesOnce({ IsTruncated: true, Marker: 'm', AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] })
      .resolvesOnce({ AccessKeyMetadata: [{ AccessKeyId: OTHER_KEY_ID, Status: 'Active' }] });

    await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps());

    expect(startedExecutions().map((e) => e.incident.accessKeyId)).toEqual([KEY_ID, OTHER_KEY_ID]);
  });
});

describe('a Health quarantine naming a user', () => {
  it('contains the user when CloudTrail names it in another case', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }] })
      .resolves({ Events: [lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'alice', policyArn: V3 } })] });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    await dispatch(healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/ALICE` }] }), deps());

    expect(startedExecutions().map((e) => e.incident.userName)).toEqual(['ALICE']);
  });

  it('reads the window back from the dispatch time when the event\'s time is not a date', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const event = healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/alice` }] });
    event.time = 'not a date';

    await dispatch(event, deps({ quarantineWindowHours: 2 }));

    const [first] = cloudtrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect([first.StartTime, first.EndTime]).toEqual([new Date('2026-11-20T08:00:00.000Z'), new Date('2026-11-20T10:15:00.000Z')]);
  });
});

describe('an AWS_RISK_IAM_QUARANTINE with many users quarantined earlier', () => {
  it('names the first 20 users quarantined earlier and counts the others', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const users = Array.from({ length: 22 }, (_, i) => `old${i}`);
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: users.map((UserName) => ({ UserName, AttachedManagedPolicies: [{ PolicyArn: V3 }] })) });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(result.skipped).toHaveLength(21);
    expect(result.skipped.slice(-2)).toEqual([
      { about: 'user old18', reason: 'not-recently-quarantined' },
      { about: 'user old19', reason: 'not-recently-quarantined' },
    ]);
    expect(published()[0].message).toMatch(/^2 more users carry an AWS quarantine policy and are not listed\.$/m);
    expect(published()[0].message).not.toContain('old20');
    expect(iam).toHaveReceivedCommandWith(GetAccountAuthorizationDetailsCommand, { Filter: ['User'] });
  });

  it('names all of exactly 20 users quarantined earlier, counting none', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: Array.from({ length: 20 }, (_, i) => ({ UserName: `old${i}`, AttachedManagedPolicies: [{ PolicyArn: V3 }] })) });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(result.skipped).toHaveLength(21);
    expect(published()[0].message).not.toContain('more users carry');
  });
});

describe('what a message to people says about the event', () => {
  it('lists every fact the event gave, labelled', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('NoSuchEntity', 'not found', 404));
    const event = healthEvent({
      eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK/1',
      eventMetadata: { publicKey: KEY_ID, userName: 'bob', exposedUrl: 'https://github.com/acme/app' },
      affectedEntities: [
        { entityValue: 'asia-not-a-key' },
        { entityValue: 'arn:aws:iam::123456789012:role/deploy' },
        { entityValue: 'arn:aws:iam::999988887777:user/mallory' },
      ],
    });

    await dispatch(event, deps());

    const message = published()[0].message;
    expect(message).toContain('Reported at: 2026-11-20T10:00:00Z');
    expect(message).toContain(`Access key ids named: ${KEY_ID}`);
    expect(message).toContain('Other values named as keys: "asia-not-a-key"');
    expect(message).toContain('User named by the report (a hint: IAM decides): bob');
    expect(message).toContain('Roles named: arn:aws:iam::123456789012:role/deploy');
    expect(message).toContain('Not used: user arn:aws:iam::999988887777:user/mallory belongs to account 999988887777: not acted on here');
    expect(message).toContain('Leaked at: https://github.com/acme/app');
  });

  it('quotes a manual report\'s words and names the support case Trusted Advisor gave', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('NoSuchEntity', 'not found', 404));
    const manual = { version: '0', id: 'x', 'detail-type': 'Exposed Access Key Reported', source: 'exposed-key-responder', account: ACCOUNT_ID, time: '2026-11-20T09:00:00Z', region: 'us-east-1', resources: [], detail: { accessKeyId: KEY_ID, reason: 'seen in a paste' } };
    const ta = trustedAdvisorEvent(KEY_ID, 'ci-deploy');
    ta.detail['check-item-detail']['Case ID'] = 'case-123';

    await dispatch(manual, deps());
    await dispatch(ta, deps());

    expect(published()[0].message).toContain('Reporter\'s words: "seen in a paste"');
    expect(published()[1].message).toContain('AWS support case: case-123');
  });

  it('lists a refused event\'s envelope, saying "(none)" for what it lacks, and bounds the account it shows', async () => {
    const event = { source: 'aws.trustedadvisor', 'detail-type': 'Trusted Advisor Check Item Refresh Notification', account: `9${'8'.repeat(59)}`, detail: {} };
    const d = deps();

    const result = await dispatch(event, d);

    const shown = `9${'8'.repeat(38)}…`;
    expect(result.skipped).toEqual([{ about: `account ${shown}`, reason: 'event of another account' }]);
    const message = published()[0].message;
    expect(message).toContain('Source: aws.trustedadvisor');
    expect(message).toContain('Detail type: Trusted Advisor Check Item Refresh Notification');
    expect(message).toContain('Time: (none)');
    expect(d.logger.warn).toHaveBeenCalledWith('event of another account refused', { eventAccount: shown });
  });

  it('throws InvalidIncidentError for an event without an account, telling nobody', async () => {
    const event = trustedAdvisorEvent();
    delete event.account;

    await expect(dispatch(event, deps())).rejects.toBeInstanceOf(InvalidIncidentError);
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});
