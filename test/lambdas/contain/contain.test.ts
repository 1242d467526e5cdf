import {
  AttachUserPolicyCommand,
  DeleteAccessKeyCommand,
  GetUserCommand,
  IAMClient,
  LimitExceededException,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contain } from '../../../lambdas/contain/contain';
import { EscalationRequiredError, InvalidIncidentError, TransientAwsError } from '../../../lambdas/shared/errors';
import { Incident } from '../../../lambdas/shared/incident';
import { QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { ContainAction } from '../../../lambdas/shared/steps';
import { anIncident, awsError, KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { EXPECTED_COMPACT_QUARANTINE_DOCUMENT } from '../quarantine-literals';
import { containDeps, NOW, QUARANTINE_POLICY_ARN } from './deps';
import { fakeUser } from './fake-user';

const iam = mockClient(IAMClient);

const ACTIONS: ContainAction[] = ['deactivate-key', 'revoke-sessions', 'quarantine'];
const WRITES = [UpdateAccessKeyCommand, PutUserPolicyCommand, AttachUserPolicyCommand];
const quotaFull = (message = 'Cannot exceed quota for PoliciesPerUser: 10') => new LimitExceededException({ message, $metadata: { httpStatusCode: 409 } });
const deps = containDeps;

function run(action: ContainAction, incident: Incident = anIncident(), d = deps()) {
  return contain(incident, action, REVOKE_BEFORE, d);
}

const writes = () => WRITES.flatMap((c) => iam.commandCalls(c as typeof UpdateAccessKeyCommand));

beforeEach(() => {
  iam.reset();
  fakeUser(iam);
});

describe('contain deactivate-key', () => {
  it('reads the user, then sets exactly the exposed key of the named user Inactive, and nothing else', async () => {
    const d = deps();

    const result = await run('deactivate-key', anIncident(), d);

    expect(iam.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetUserCommand', 'ListAccessKeysCommand', 'UpdateAccessKeyCommand']);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Inactive' }]);
    expect(result).toEqual({
      action: 'deactivate-key', status: 'done', detail: `set access key ${KEY_ID} of user ci-deploy Inactive`, at: NOW.toISOString(),
      changes: [{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY_ID, before: 'Active', after: 'Inactive' }],
    });
    expect(d.logger.info).toHaveBeenCalledWith('contained', { action: 'deactivate-key', detail: `set access key ${KEY_ID} of user ci-deploy Inactive` });
  });

  it('never deletes the key: a disabled key can be restored', async () => {
    await run('deactivate-key');

    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('always passes UserName, so it never acts on the caller\'s own user', async () => {
    fakeUser(iam, 'other-user');

    await run('deactivate-key', anIncident({ userName: 'other-user' }));

    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'other-user', AccessKeyId: KEY_ID, Status: 'Inactive' });
  });

  it('fails with InvalidIncidentError, keeping the cause, when IAM does not know the key', async () => {
    const notFound = new NoSuchEntityException({ message: `The Access Key with id ${KEY_ID} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    iam.on(UpdateAccessKeyCommand).rejects(notFound);

    const result = run('deactivate-key');

    await expect(result).rejects.toBeInstanceOf(InvalidIncidentError);
    await expect(result).rejects.toMatchObject({
      message: `UpdateAccessKey: access key ${KEY_ID} of user ci-deploy not found: The Access Key with id ${KEY_ID} cannot be found.`,
      cause: notFound,
    });
  });

  it('fails with InvalidIncidentError and changes nothing when IAM does not know the user', async () => {
    const result = run('deactivate-key', anIncident({ userName: 'no-such-user' }));

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^GetUser: access key .* of user no-such-user not found/) });
    expect(writes()).toEqual([]);
  });
});

describe('contain quarantine', () => {
  it('attaches the configured quarantine policy to the user', async () => {
    const result = await run('quarantine');

    expect(iam.commandCalls(AttachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', PolicyArn: QUARANTINE_POLICY_ARN }]);
    expect(writes()).toHaveLength(1);
    expect(result).toEqual({
      action: 'quarantine', status: 'done', detail: `attach quarantine policy ${QUARANTINE_POLICY_ARN} to user ci-deploy`, at: NOW.toISOString(),
      changes: [{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: QUARANTINE_POLICY_ARN, attachedBefore: false }],
    });
  });

  it.each([
    ['the SDK\'s LimitExceededException', quotaFull()],
    ['IAM\'s bare LimitExceeded code', awsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerUser: 10', 409)],
  ])('puts the compact quarantine inline when the managed-policy quota is full (%s)', async (_how, error) => {
    iam.on(AttachUserPolicyCommand).rejects(error);

    const result = await run('quarantine');

    const [put] = iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({ UserName: 'ci-deploy', PolicyName: QUARANTINE_INLINE_POLICY_NAME });
    const document = JSON.parse(put.PolicyDocument ?? '');
    expect(document).toEqual(EXPECTED_COMPACT_QUARANTINE_DOCUMENT);
    expect(result.detail).toBe(`put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ci-deploy (its managed-policy quota is full)`);
  });

  it('escalates with the commands a human must run when the inline policies are full too', async () => {
    iam.on(AttachUserPolicyCommand).rejects(quotaFull());
    iam.on(PutUserPolicyCommand).rejects(quotaFull('Maximum policy size of 2048 bytes exceeded for user ci-deploy'));
    const d = deps();

    const err = (await run('quarantine', anIncident(), d).then(() => undefined, (e: unknown) => e)) as EscalationRequiredError;

    expect(err).toBeInstanceOf(EscalationRequiredError);
    expect(err.name).toBe('EscalationRequiredError');
    expect(err.message).toMatch(/^user ci-deploy could not be quarantined: it has IAM's quota of managed policies \(10\)/);
    expect(err.message).toContain('  aws iam list-attached-user-policies --user-name ci-deploy\n');
    expect(err.message).toContain(`  aws iam attach-user-policy --user-name ci-deploy --policy-arn ${QUARANTINE_POLICY_ARN}\n`);
    expect(err.message).toContain(`  aws iam put-user-policy --user-name ci-deploy --policy-name ${QUARANTINE_INLINE_POLICY_NAME} --policy-document '${JSON.stringify(EXPECTED_COMPACT_QUARANTINE_DOCUMENT)}'`);
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1); // a full quota is not retried
    expect(d.logger.error).toHaveBeenCalledWith('managed and inline policy quotas full: the quarantine cannot be put in place, escalating', { userName: 'ci-deploy' });
  });

  it('does not fall back for another attach error', async () => {
    iam.on(AttachUserPolicyCommand).rejects(awsError('AccessDenied', 'not allowed'));

    await expect(run('quarantine')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(iam.commandCalls(PutUserPolicyCommand)).toEqual([]);
  });
});

describe('contain: principals it must not touch', () => {
  it.each(ACTIONS)('skips %s for the root user without any IAM call', async (action) => {
    const result = await run(action, anIncident({ userName: 'root', principalType: 'root' }));

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ action, status: 'skipped', detail: expect.stringContaining('root'), at: NOW.toISOString() });
  });

  it.each(ACTIONS)('skips %s for a user the dispatcher found protected, without any IAM call', async (action) => {
    const result = await run(action, anIncident({ userName: 'break-glass', protectedPrincipal: true }));

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.status).toBe('skipped');
    expect(result.detail).toBe('user break-glass is protected by configuration: nothing was changed, a human must act');
  });

  it.each(ACTIONS)('checks protection itself before %s: a name on the list (any case) is refused after GetUser only', async (action) => {
    const d = deps({ protectedPrincipals: parseProtectedPrincipals(['CI-Deploy']) });

    const result = await run(action, anIncident({ protectedPrincipal: false }), d);

    expect(iam.commandCalls(GetUserCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy' }]);
    expect(writes()).toEqual([]);
    const reason = 'user ci-deploy is on the protected list (entry "CI-Deploy"): nothing was changed, a human must act';
    expect(result).toEqual({ action, status: 'skipped', detail: reason, at: NOW.toISOString() });
    expect(d.logger.warn).toHaveBeenCalledWith('containment refused', { action, userName: 'ci-deploy', reason });
  });

  it('refuses a user whose IAM path is under a protected /path/* prefix', async () => {
    fakeUser(iam, 'ci-deploy', { path: '/breakglass/ops/' });

    const result = await run('deactivate-key', anIncident(), deps({ protectedPrincipals: parseProtectedPrincipals(['/breakglass/*']) }));

    expect(result.status).toBe('skipped');
    expect(result.detail).toBe('user ci-deploy has path /breakglass/ops/, protected by the entry "/breakglass/*": nothing was changed, a human must act');
    expect(writes()).toEqual([]);
  });

  it('refuses a user tagged exposed-key-responder:protected=true (value in any case), with an empty protected list', async () => {
    fakeUser(iam, 'ci-deploy', { tags: { 'exposed-key-responder:protected': 'TRUE' } });

    const result = await run('quarantine');

    expect(result.status).toBe('skipped');
    expect(result.detail).toBe('user ci-deploy carries the tag exposed-key-responder:protected=TRUE: nothing was changed, a human must act');
    expect(writes()).toEqual([]);
  });

  it.each([
    ['a tag whose value is not true', { 'exposed-key-responder:protected': 'false' }],
    ['a tag of another key', { 'exposed-key-responder:protect': 'true' }],
  ])('contains a user with %s', async (_what, tags) => {
    fakeUser(iam, 'ci-deploy', { tags });

    const result = await run('deactivate-key');

    expect(result.status).toBe('done');
  });

  it('skips a root key even in a dry run', async () => {
    const result = await run('deactivate-key', anIncident({ userName: 'root', principalType: 'root' }), deps({ dryRun: true }));

    expect(result.status).toBe('skipped');
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('contain: dry run', () => {
  it.each([
    ['deactivate-key', `would set access key ${KEY_ID} of user ci-deploy Inactive`],
    ['revoke-sessions', `would deny every session of user ci-deploy issued before ${REVOKED_BEFORE} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`],
    ['quarantine', `would attach quarantine policy ${QUARANTINE_POLICY_ARN} to user ci-deploy`],
  ] as Array<[ContainAction, string]>)('reports what %s would do, reading only the user (protection)', async (action, detail) => {
    const result = await run(action, anIncident(), deps({ dryRun: true }));

    expect(iam.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetUserCommand']);
    expect(result).toEqual({ action, status: 'dry-run', detail, at: NOW.toISOString() });
  });

  it('says a protected user would be skipped, not contained', async () => {
    fakeUser(iam, 'ci-deploy', { tags: { 'exposed-key-responder:protected': 'true' } });

    const result = await run('deactivate-key', anIncident(), deps({ dryRun: true }));

    expect(result.status).toBe('skipped');
  });
});

describe('contain: transient failures', () => {
  const throttling = awsError('Throttling', 'Rate exceeded');

  it.each([
    ['deactivate-key', 'UpdateAccessKey', () => iam.on(UpdateAccessKeyCommand).rejects(throttling)],
    ['revoke-sessions', 'PutUserPolicy', () => iam.on(PutUserPolicyCommand).rejects(throttling)],
    ['quarantine', 'AttachUserPolicy', () => iam.on(AttachUserPolicyCommand).rejects(throttling)],
    ['quarantine', 'GetUser', () => iam.on(GetUserCommand).rejects(throttling)],
  ] as const)('turns Throttling during %s (%s) into ThrottledError (the Task retries it for as long as a wave takes) keeping the cause', async (action, operation, throttle) => {
    throttle();

    const result = run(action);

    await expect(result).rejects.toMatchObject({ name: 'ThrottledError' });
    await expect(result).rejects.toMatchObject({ message: `${operation}: Throttling: Rate exceeded`, cause: throttling });
  });

  it('changes nothing when the protection check cannot be made', async () => {
    iam.on(GetUserCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(run('deactivate-key')).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(writes()).toEqual([]);
  });

  it('turns an IAM 500 into TransientAwsError', async () => {
    iam.on(UpdateAccessKeyCommand).rejects(awsError('ServiceFailure', 'Internal failure', 500));

    await expect(run('deactivate-key')).rejects.toBeInstanceOf(TransientAwsError);
  });
});
