import { AttachUserPolicyCommand, GetUserPolicyCommand, IAMClient, LimitExceededException, NoSuchEntityException, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contain, ContainDeps } from '../../../lambdas/contain/contain';
import { EscalationRequiredError, InvalidIncidentError, TransientAwsError } from '../../../lambdas/shared/errors';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { anIncident, awsError, fakeLogger, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { FakeUser, fakeUser, storedRevocation } from './fake-user';

const iam = mockClient(IAMClient);
const NOW = new Date('2026-11-20T10:00:01.500Z');
const POLICY = REVOKE_SESSIONS_POLICY_NAME;

function deps(): ContainDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: 'arn:aws:iam::123456789012:policy/q', protectedPrincipals: parseProtectedPrincipals([]) },
    now: () => NOW,
  };
}

const revoke = (revokeBefore = REVOKE_BEFORE, d = deps()) => contain(anIncident(), 'revoke-sessions', revokeBefore, d);
const puts = () => iam.commandCalls(PutUserPolicyCommand).map((c) => JSON.parse(c.args[0].input.PolicyDocument ?? '').Statement[0].Condition.DateLessThan['aws:TokenIssueTime']);
const preset = (user: FakeUser, before: string) => user.inline.set(POLICY, JSON.stringify(revokeOlderSessionsPolicy(before)));

let user: FakeUser;
beforeEach(() => {
  iam.reset();
  user = fakeUser(iam);
});

describe('contain revoke-sessions: the time only moves later', () => {
  it('puts the inline policy denying every session issued up to five minutes after revokeBefore, and reads it back', async () => {
    const result = await revoke();

    const [put] = iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input);
    expect(put.UserName).toBe('ci-deploy');
    expect(put.PolicyName).toBe(POLICY);
    expect(JSON.parse(put.PolicyDocument ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': REVOKED_BEFORE } } }],
    });
    expect(storedRevocation(user, POLICY)).toBe(REVOKED_BEFORE);
    expect(result).toEqual({
      action: 'revoke-sessions', status: 'done', at: NOW.toISOString(), detail: `deny every session of user ci-deploy issued before ${REVOKED_BEFORE} (inline policy ${POLICY})`,
      changes: [{
        kind: 'inline-policy', userName: 'ci-deploy', policyName: POLICY,
        after: `{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${REVOKED_BEFORE}"}}}]}`,
      }],
    });
  });

  it('reads the user and the time in place before writing, then reads the write back once: four calls', async () => {
    await revoke();

    const names = iam.calls().map((c) => c.args[0].constructor.name);
    expect(names.slice(0, 2).sort()).toEqual(['GetUserCommand', 'GetUserPolicyCommand']);
    expect(names.slice(2)).toEqual(['PutUserPolicyCommand', 'GetUserPolicyCommand']);
  });

  it('keeps a later time already in place (a later report of the same user) and says so', async () => {
    preset(user, '2026-11-21T08:00:00.000Z');
    const d = deps();

    const result = await revoke(REVOKE_BEFORE, d);

    expect(puts()).toEqual(['2026-11-21T08:00:00.000Z']);
    expect(storedRevocation(user, POLICY)).toBe('2026-11-21T08:00:00.000Z');
    expect(result.detail).toBe(
      `deny every session of user ci-deploy issued before 2026-11-21T08:00:00.000Z (inline policy ${POLICY}) (kept the later time in place; this response's own is ${REVOKED_BEFORE})`,
    );
    expect(d.logger.info).toHaveBeenCalledWith('a later revocation is already in place: keeping it', { inPlace: '2026-11-21T08:00:00.000Z', own: REVOKED_BEFORE });
  });

  it('moves an earlier time in place (an earlier incident) to its own', async () => {
    preset(user, '2026-11-19T08:00:00.000Z');

    await revoke();

    expect(storedRevocation(user, POLICY)).toBe(REVOKED_BEFORE);
  });

  it('replaces a document under its name that is not a revocation', async () => {
    user.inline.set(POLICY, '{"Version":"2012-10-17","Statement":[]}');

    await revoke();

    expect(storedRevocation(user, POLICY)).toBe(REVOKED_BEFORE);
  });

  it('two keys of one user, the earlier-started execution writing last: the later time ends in place', async () => {
    const earlier = '2026-11-20T10:00:00.100Z'; // revokes before 10:05:00.100
    const later = '2026-11-20T10:00:00.900Z'; // revokes before 10:05:00.900
    let laterWritten!: () => void;
    let earlierWritten!: () => void;
    const laterWrite = new Promise<void>((r) => (laterWritten = r));
    const earlierWrite = new Promise<void>((r) => (earlierWritten = r));
    const landed: string[] = [];
    iam.on(PutUserPolicyCommand).callsFake(async (input: { PolicyName: string; PolicyDocument: string }) => {
      const isEarlier = input.PolicyDocument.includes('10:05:00.100Z');
      if (isEarlier) await laterWrite; // the earlier execution's write lands after the later one's
      user.inline.set(input.PolicyName, input.PolicyDocument);
      landed.push(storedRevocation(user, input.PolicyName) ?? '');
      (isEarlier ? earlierWritten : laterWritten)();
      return {};
    });
    iam.on(GetUserPolicyCommand).callsFake(async (input: { PolicyName: string }) => {
      // The later execution's read-back comes after the earlier one's write.
      if (storedRevocation(user, input.PolicyName) === '2026-11-20T10:05:00.900Z') await earlierWrite;
      const document = user.inline.get(input.PolicyName);
      if (document === undefined) throw new NoSuchEntityException({ message: 'not found', $metadata: {} });
      return { PolicyDocument: encodeURIComponent(document) };
    });
    const first = deps();
    const second = deps();

    const [a, b] = await Promise.all([revoke(earlier, first), revoke(later, second)]);

    expect(storedRevocation(user, POLICY)).toBe('2026-11-20T10:05:00.900Z');
    expect(landed).toEqual(['2026-11-20T10:05:00.900Z', '2026-11-20T10:05:00.100Z', '2026-11-20T10:05:00.900Z']);
    expect(second.logger.warn).toHaveBeenCalledWith('revoke policy overwritten with an earlier time: writing the later one again', {
      found: '2026-11-20T10:05:00.100Z',
      wanted: '2026-11-20T10:05:00.900Z',
    });
    expect([a.status, b.status]).toEqual(['done', 'done']);
    expect(b.detail).toContain('issued before 2026-11-20T10:05:00.900Z');
  });

  it('gives up after three writes when the policy keeps being overwritten earlier, for the workflow to retry', async () => {
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(revokeOlderSessionsPolicy('2026-11-19T00:00:00.000Z'))) });

    const result = revoke();

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow(/overwritten with an earlier time 3 times/);
    expect(puts()).toEqual([REVOKED_BEFORE, REVOKED_BEFORE, REVOKED_BEFORE]);
  });

  it('says the policy was written but not found when read back (NoSuchEntity), and leaves the next write to the workflow\'s retry after its wait', async () => {
    iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: 'The user policy with name ExposedKeyResponder-RevokeOlderSessions cannot be found.', $metadata: { httpStatusCode: 404 } }));

    const result = revoke();

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow(
      `GetUserPolicy: the revoke policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy was written (PutUserPolicy succeeded, denying sessions issued before ${REVOKED_BEFORE}) but reading it back answered NoSuchEntity: not yet visible (IAM is eventually consistent) or deleted since, so those sessions are not confirmed revoked`,
    );
    expect(puts()).toEqual([REVOKED_BEFORE]); // written once: writing again at once would not make it visible sooner
  });

  it('writes again when the policy read back is another document that revokes nothing, and gives up after three writes', async () => {
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}') });
    const d = deps();

    const result = revoke(REVOKE_BEFORE, d);

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    expect(d.logger.warn).toHaveBeenCalledWith('revoke policy overwritten with an earlier time: writing the later one again', { found: 'none', wanted: REVOKED_BEFORE });
    await expect(result).rejects.toThrow(
      `PutUserPolicy: the revoke policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy was replaced by a document that revokes nothing 3 times (wanted ${REVOKED_BEFORE})`,
    );
    expect(puts()).toEqual([REVOKED_BEFORE, REVOKED_BEFORE, REVOKED_BEFORE]);
  });
});

describe('contain revoke-sessions: a full inline quota escalates', () => {
  it.each([
    ['the SDK\'s LimitExceededException', new LimitExceededException({ message: 'Maximum policy size of 2048 bytes exceeded for user ci-deploy', $metadata: { httpStatusCode: 409 } })],
    ['IAM\'s bare LimitExceeded code', awsError('LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user ci-deploy', 409)],
  ])('throws EscalationRequiredError with the commands, creates and attaches nothing (%s)', async (_how, error) => {
    iam.on(PutUserPolicyCommand).rejects(error);
    const d = deps();

    const err = (await revoke(REVOKE_BEFORE, d).then(() => undefined, (e: unknown) => e)) as EscalationRequiredError;

    expect(err).toBeInstanceOf(EscalationRequiredError);
    expect(err.cause).toBe(error);
    expect(err.message).toBe(
      `inline policy ${POLICY} could not be put on user ci-deploy: the user's inline policies are at IAM's quota (2048 characters for all of them together; this one needs 191), ` +
        `so sessions issued before the incident are NOT revoked. A human must make room for ${POLICY}, then put it:\n` +
        '  aws iam list-user-policies --user-name ci-deploy\n' +
        '  aws iam get-user-policy --user-name ci-deploy --policy-name <one of them>    # keep a copy (move it to a managed policy if the user still needs it)\n' +
        '  aws iam delete-user-policy --user-name ci-deploy --policy-name <one of them>\n' +
        `  aws iam put-user-policy --user-name ci-deploy --policy-name ${POLICY} --policy-document ` +
        `'{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${REVOKED_BEFORE}"}}}]}'`,
    );
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1);
    expect(iam).not.toHaveReceivedCommand(AttachUserPolicyCommand);
    expect(iam.calls().map((c) => c.args[0].constructor.name)).not.toContain('CreatePolicyCommand');
    expect(d.logger.error).toHaveBeenCalledWith('inline policy quota full: the revoke policy cannot be written, escalating', { userName: 'ci-deploy' });
  });

  it('rethrows AccessDenied on PutUserPolicy unchanged', async () => {
    const denied = awsError('AccessDenied', 'User is not authorized to perform: iam:PutUserPolicy', 403);
    iam.on(PutUserPolicyCommand).rejects(denied);

    await expect(revoke()).rejects.toBe(denied);
  });

  it('fails with InvalidIncidentError when the user does not exist', async () => {
    iam.on(PutUserPolicyCommand).rejects(new NoSuchEntityException({ message: 'The user with name ci-deploy cannot be found.', $metadata: {} }));

    await expect(revoke()).rejects.toBeInstanceOf(InvalidIncidentError);
  });

  it('writes nothing when the time in place cannot be read (throttled)', async () => {
    iam.on(GetUserPolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(revoke()).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
    expect(iam).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });
});
