// The revoke policy read back after its write: a time that is not a date, a policy not yet
// visible, a throttled read; the escalation's whole text; the contain client's retry bookkeeping.
import { GetUserPolicyCommand, IAMClient, NoSuchEntityException, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contain } from '../../../lambdas/contain/contain';
import { quarantineEscalation } from '../../../lambdas/contain/escalation';
import { quotaIsFinal } from '../../../lambdas/contain/iam-client';
import { EscalationRequiredError } from '../../../lambdas/shared/errors';
import { anIncident, awsError, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { containDeps, NOW } from './deps';
import { FakeUser, fakeUser, storedRevocation } from './fake-user';

const iam = mockClient(IAMClient);
const POLICY = 'ExposedKeyResponder-RevokeOlderSessions';
const revokeDoc = (before: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } }] });

const deps = (withClock = true) => containDeps({}, withClock ? () => NOW : null);

let user: FakeUser;
beforeEach(() => {
  iam.reset();
  user = fakeUser(iam);
});

describe('contain revoke-sessions: what the read-back finds', () => {
  it('writes again when another writer left a time that is not a date', async () => {
    let writes = 0;
    iam.on(PutUserPolicyCommand).callsFake((input: { PolicyName: string; PolicyDocument: string }) => {
      writes += 1;
      // The first write is overwritten at once by a document whose time is not a date.
      user.inline.set(input.PolicyName, writes === 1 ? revokeDoc('soon') : input.PolicyDocument);
      return {};
    });

    const result = await contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, deps());

    expect(writes).toBe(2);
    expect(storedRevocation(user, POLICY)).toBe(REVOKED_BEFORE);
    expect(result.status).toBe('done');
  });

  it('when its write is not yet visible, fails for the workflow to retry after its wait (written once), and the retry is done', async () => {
    let reads = 0;
    iam.on(GetUserPolicyCommand).callsFake((input: { PolicyName: string }) => {
      reads += 1;
      const document = user.inline.get(input.PolicyName);
      // The read before the write, and the first read-back, do not see it yet.
      if (reads <= 2 || document === undefined) throw new NoSuchEntityException({ message: 'not found', $metadata: {} });
      return { PolicyDocument: encodeURIComponent(document) };
    });

    await expect(contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, deps())).rejects.toMatchObject({ name: 'TransientAwsError', message: expect.stringContaining('reading it back answered NoSuchEntity') });
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1);
    const retried = await contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, deps());

    expect(retried.status).toBe('done');
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(2);
    expect(storedRevocation(user, POLICY)).toBe(REVOKED_BEFORE);
  });

  it('names the read-back in the error when it is throttled', async () => {
    let reads = 0;
    iam.on(GetUserPolicyCommand).callsFake(() => {
      reads += 1;
      if (reads === 1) throw new NoSuchEntityException({ message: 'not found', $metadata: {} });
      throw awsError('Throttling', 'Rate exceeded');
    });

    await expect(contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, deps())).rejects.toMatchObject({
      name: 'ThrottledError',
      message: 'GetUserPolicy: Throttling: Rate exceeded',
    });
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1);
  });

  it('dates its result with the clock when none is given', async () => {
    const before = Date.now();

    const result = await contain(anIncident(), 'deactivate-key', REVOKE_BEFORE, deps(false));

    expect(Date.parse(result.at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(result.at)).toBeLessThanOrEqual(Date.now());
  });
});

describe('the quarantine escalation', () => {
  it('says exactly what a human must run, and keeps the cause', () => {
    const cause = awsError('LimitExceeded', 'Cannot exceed quota for PolicySize: 2048', 409);
    const document = { Version: '2012-10-17' as const, Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] };

    const err = quarantineEscalation('ci-deploy', 'arn:aws:iam::123456789012:policy/q', 'ExposedKeyResponder-Quarantine', document, cause);

    expect(err).toBeInstanceOf(EscalationRequiredError);
    expect(err.cause).toBe(cause);
    expect(err.message).toBe(
      [
        'user ci-deploy could not be quarantined: it has IAM\'s quota of managed policies (10), and its inline policies have no room for ExposedKeyResponder-Quarantine (88 of 2048 characters). A human must either detach one managed policy and attach the quarantine:',
        '  aws iam list-attached-user-policies --user-name ci-deploy',
        '  aws iam detach-user-policy --user-name ci-deploy --policy-arn <one of them>',
        '  aws iam attach-user-policy --user-name ci-deploy --policy-arn arn:aws:iam::123456789012:policy/q',
        'or make room for ExposedKeyResponder-Quarantine among its inline policies, then put it:',
        '  aws iam list-user-policies --user-name ci-deploy',
        '  aws iam get-user-policy --user-name ci-deploy --policy-name <one of them>    # keep a copy (move it to a managed policy if the user still needs it)',
        '  aws iam delete-user-policy --user-name ci-deploy --policy-name <one of them>',
        '  aws iam put-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-Quarantine --policy-document \'{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}\'',
      ].join('\n'),
    );
  });
});

describe('the contain client\'s retry strategy', () => {
  it('passes a success on to the SDK\'s strategy once it has one, and ignores one before', async () => {
    const recordSuccess = jest.fn();
    const standard = { acquireInitialRetryToken: jest.fn(async () => ({ token: 1 })), refreshRetryTokenForRetry: jest.fn(), recordSuccess };
    const strategy = quotaIsFinal(async () => standard);

    strategy.recordSuccess({ early: true } as never);
    const token = await strategy.acquireInitialRetryToken('iam');
    strategy.recordSuccess(token);

    expect(standard.acquireInitialRetryToken).toHaveBeenCalledWith('iam');
    expect(recordSuccess.mock.calls).toEqual([[{ token: 1 }]]);
  });
});
