import {
  AttachUserPolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { readBefore } from '../../../lambdas/contain/before';
import { contain } from '../../../lambdas/contain/contain';
import { ThrottledError } from '../../../lambdas/shared/errors';
import { anIncident, awsError, KEY_ID, OTHER_KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { containDeps, QUARANTINE_POLICY_ARN } from './deps';
import { fakeUser } from './fake-user';

// The record of what each action found before it changed anything, compared strictly: a fact the
// record does not know must be absent (restore reads a present `before`, even `undefined`, as "the
// user had this"), and a fact it knows must be there, literally.
const iam = mockClient(IAMClient);
const quotaFull = () => new LimitExceededException({ message: 'Cannot exceed quota for PoliciesPerUser: 10', $metadata: { httpStatusCode: 409 } });
const REVOKE_AFTER = `{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${REVOKED_BEFORE}"}}}]}`;

beforeEach(() => iam.reset());

describe('readBefore: what each action finds on the user', () => {
  it('reads the key status Active or Inactive as IAM lists it', async () => {
    const user = fakeUser(iam);
    user.keys.set(KEY_ID, 'Active');
    await expect(readBefore(anIncident(), 'deactivate-key', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({ keyStatus: 'Active' });
    user.keys.set(KEY_ID, 'Inactive');
    await expect(readBefore(anIncident(), 'deactivate-key', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({ keyStatus: 'Inactive' });
  });

  it('says nothing of the key when IAM does not list it, or lists a status it does not know', async () => {
    const user = fakeUser(iam);
    user.keys.delete(KEY_ID);
    user.keys.set(OTHER_KEY_ID, 'Active');
    await expect(readBefore(anIncident(), 'deactivate-key', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({});
    user.keys.set(KEY_ID, 'Expired');
    await expect(readBefore(anIncident(), 'deactivate-key', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({});
  });

  it('says nothing of the key when ListAccessKeys is denied, and warns that the record will not say it', async () => {
    fakeUser(iam);
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'not allowed'));
    const deps = containDeps();

    await expect(readBefore(anIncident(), 'deactivate-key', QUARANTINE_POLICY_ARN, deps)).resolves.toStrictEqual({});

    expect(deps.logger.warn.mock.calls).toEqual([['could not read the key status before containment: the record will not say it', { error: 'AccessDenied' }]]);
  });

  it('has no revoke document when the user has no revoke policy', async () => {
    fakeUser(iam);
    await expect(readBefore(anIncident(), 'revoke-sessions', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({});
  });

  it('keeps the revoke policy in place as its decoded JSON text', async () => {
    const user = fakeUser(iam);
    user.inline.set('ExposedKeyResponder-RevokeOlderSessions', '{"Version":"2012-10-17","Statement":[]}');
    await expect(readBefore(anIncident(), 'revoke-sessions', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({ revokeDocument: '{"Version":"2012-10-17","Statement":[]}' });
  });

  it('says whether the quarantine policy is attached, true or false', async () => {
    const user = fakeUser(iam);
    await expect(readBefore(anIncident(), 'quarantine', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({ quarantineAttached: false });
    user.attached.add(QUARANTINE_POLICY_ARN);
    await expect(readBefore(anIncident(), 'quarantine', QUARANTINE_POLICY_ARN, containDeps())).resolves.toStrictEqual({ quarantineAttached: true });
  });

  it('says nothing of the quarantine when ListAttachedUserPolicies is denied, and warns', async () => {
    fakeUser(iam);
    iam.on(ListAttachedUserPoliciesCommand).rejects(awsError('AccessDenied', 'not allowed'));
    const deps = containDeps();

    await expect(readBefore(anIncident(), 'quarantine', QUARANTINE_POLICY_ARN, deps)).resolves.toStrictEqual({});

    expect(deps.logger.warn.mock.calls).toEqual([['could not read the attached policies before containment: the record will not say it', { error: 'AccessDenied' }]]);
  });
});

describe('contain: the recorded changes, strictly', () => {
  it('records no before for a key whose status could not be read', async () => {
    fakeUser(iam);
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'not allowed'));

    const result = await contain(anIncident(), 'deactivate-key', REVOKE_BEFORE, containDeps());

    expect(result.changes).toStrictEqual([{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY_ID, after: 'Inactive' }]);
  });

  it('records no before for a revoke policy the user did not have (restore then removes it)', async () => {
    fakeUser(iam);

    const result = await contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, containDeps());

    expect(result.changes).toStrictEqual([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', after: REVOKE_AFTER }]);
  });

  it('records the managed quarantine as not attached before when it was not', async () => {
    fakeUser(iam);

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, containDeps());

    expect(result).toStrictEqual({
      action: 'quarantine', status: 'done', at: '2026-11-20T10:00:01.500Z',
      detail: `attach quarantine policy ${QUARANTINE_POLICY_ARN} to user ci-deploy`,
      changes: [{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: QUARANTINE_POLICY_ARN, attachedBefore: false }],
    });
  });

  it('records nothing of before for the managed quarantine when the attached policies could not be read', async () => {
    fakeUser(iam);
    iam.on(ListAttachedUserPoliciesCommand).rejects(awsError('AccessDenied', 'not allowed'));

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, containDeps());

    expect(result.changes).toStrictEqual([{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: QUARANTINE_POLICY_ARN }]);
  });

  it('keeps the inline quarantine the user already had as before when the managed quota is full', async () => {
    const user = fakeUser(iam);
    const earlier = '{"Version":"2012-10-17","Statement":[{"Sid":"Earlier","Effect":"Deny","Action":"iam:*","Resource":"*"}]}';
    user.inline.set('ExposedKeyResponder-Quarantine', earlier);
    iam.on(AttachUserPolicyCommand).rejects(quotaFull());

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, containDeps());

    const after = user.inline.get('ExposedKeyResponder-Quarantine');
    expect(after).not.toBe(earlier);
    expect(result.changes).toStrictEqual([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-Quarantine', before: earlier, after }]);
  });

  it('records no before for an inline quarantine the user did not have', async () => {
    const user = fakeUser(iam);
    iam.on(AttachUserPolicyCommand).rejects(quotaFull());

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, containDeps());

    expect(result.changes).toStrictEqual([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-Quarantine', after: user.inline.get('ExposedKeyResponder-Quarantine') }]);
  });

  it('fails as a throttled GetUserPolicy (the workflow waits and retries) when the inline quarantine in place cannot be read (throttled)', async () => {
    fakeUser(iam);
    iam.on(AttachUserPolicyCommand).rejects(quotaFull());
    iam.on(GetUserPolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const failure = contain(anIncident(), 'quarantine', REVOKE_BEFORE, containDeps());

    await expect(failure).rejects.toThrow(ThrottledError);
    await expect(failure).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
  });
});
