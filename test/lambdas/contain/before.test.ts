import { AttachUserPolicyCommand, IAMClient, LimitExceededException, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { contain, ContainDeps } from '../../../lambdas/contain/contain';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { anIncident, awsError, fakeLogger, KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { fakeUser } from './fake-user';

// What containment finds before it changes the user: the record keeps it so that restore undoes
// exactly what the responder changed (and leaves what it found).
const iam = mockClient(IAMClient);
const QUARANTINE = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const NOW = new Date('2026-11-20T10:00:01.500Z');

function deps(dryRun = false): ContainDeps {
  return { iam: new IAMClient({}), logger: fakeLogger(), config: { dryRun, quarantinePolicyArn: QUARANTINE, protectedPrincipals: parseProtectedPrincipals([]) }, now: () => NOW };
}

beforeEach(() => iam.reset());

describe('contain records the state before each change', () => {
  it('says the key was already Inactive when it was (restore then leaves it)', async () => {
    const user = fakeUser(iam);
    user.keys.set(KEY_ID, 'Inactive');

    const result = await contain(anIncident(), 'deactivate-key', REVOKE_BEFORE, deps());

    expect(result.changes).toEqual([{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY_ID, before: 'Inactive', after: 'Inactive' }]);
    expect(user.keys.get(KEY_ID)).toBe('Inactive');
  });

  it('still deactivates the key when its status cannot be read, and then says nothing of before', async () => {
    const user = fakeUser(iam);
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'not allowed'));

    const result = await contain(anIncident(), 'deactivate-key', REVOKE_BEFORE, deps());

    expect(user.keys.get(KEY_ID)).toBe('Inactive');
    expect(result.changes).toEqual([{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY_ID, after: 'Inactive' }]);
  });

  it('keeps the revoke policy it found (an earlier incident of the user) as the document before', async () => {
    const user = fakeUser(iam);
    const earlier = '{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-19T08:00:00.000Z"}}}]}';
    user.inline.set('ExposedKeyResponder-RevokeOlderSessions', earlier);

    const result = await contain(anIncident(), 'revoke-sessions', REVOKE_BEFORE, deps());

    expect(result.changes).toEqual([{
      kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', before: earlier,
      after: `{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${REVOKED_BEFORE}"}}}]}`,
    }]);
  });

  it('says the quarantine was attached already when it was', async () => {
    const user = fakeUser(iam);
    user.attached.add(QUARANTINE);

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, deps());

    expect(result.changes).toEqual([{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: QUARANTINE, attachedBefore: true }]);
  });

  it('records the inline quarantine fallback as created when the user had none', async () => {
    const user = fakeUser(iam);
    iam.on(AttachUserPolicyCommand).rejects(new LimitExceededException({ message: 'Cannot exceed quota for PoliciesPerUser: 10', $metadata: { httpStatusCode: 409 } }));

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, deps());

    expect(result.changes).toEqual([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-Quarantine', after: user.inline.get('ExposedKeyResponder-Quarantine') }]);
    expect(JSON.parse(user.inline.get('ExposedKeyResponder-Quarantine') ?? '{}').Statement[0].Sid).toBe('QuarantineHighRiskActions');
  });

  it('reads nothing before and records no change in a dry run', async () => {
    fakeUser(iam);

    const result = await contain(anIncident(), 'quarantine', REVOKE_BEFORE, deps(true));

    expect(result.changes).toBeUndefined();
    expect(iam.commandCalls(ListAttachedUserPoliciesCommand)).toHaveLength(0);
  });
});
