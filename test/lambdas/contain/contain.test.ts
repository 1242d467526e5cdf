import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  DeleteAccessKeyCommand,
  EntityAlreadyExistsException,
  IAMClient,
  LimitExceededException,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contain, ContainConfig, ContainDeps } from '../../../lambdas/contain/contain';
import { InvalidIncidentError, TransientAwsError } from '../../../lambdas/shared/errors';
import { Incident } from '../../../lambdas/shared/incident';
import { compactQuarantinePolicy, QUARANTINE_INLINE_POLICY_NAME, RESPONDER_POLICY_PATH, REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import { ContainAction } from '../../../lambdas/shared/steps';
import { ACCOUNT_ID, anIncident, awsError, fakeLogger, KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';

const iam = mockClient(IAMClient);

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const NOW = new Date('2026-11-20T10:00:01.500Z');
const ACTIONS: ContainAction[] = ['deactivate-key', 'revoke-sessions', 'quarantine'];
const FALLBACK_POLICY_NAME = `${REVOKE_SESSIONS_POLICY_NAME}-${KEY_ID}-20261120`;
const FALLBACK_POLICY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/${FALLBACK_POLICY_NAME}`;

function deps(config: Partial<ContainConfig> = {}): ContainDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: QUARANTINE_POLICY_ARN, ...config },
    now: () => NOW,
  };
}

function run(action: ContainAction, incident: Incident = anIncident(), d = deps()) {
  return contain(incident, action, REVOKE_BEFORE, d);
}

beforeEach(() => {
  iam.reset();
  iam.onAnyCommand().resolves({});
});

describe('contain deactivate-key', () => {
  it('sets exactly the exposed key of the named user Inactive, and nothing else', async () => {
    const result = await run('deactivate-key');

    expect(iam.calls()).toHaveLength(1);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Inactive' },
    ]);
    expect(result).toEqual({
      action: 'deactivate-key',
      status: 'done',
      detail: `set access key ${KEY_ID} of user ci-deploy Inactive`,
      at: NOW.toISOString(),
    });
  });

  it('never deletes the key: a disabled key can be restored', async () => {
    await run('deactivate-key');

    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('always passes UserName, so it never acts on the caller\'s own user', async () => {
    await run('deactivate-key', anIncident({ userName: 'other-user' }));

    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'other-user', AccessKeyId: KEY_ID, Status: 'Inactive' });
  });

  it('fails with InvalidIncidentError, keeping the cause, when IAM does not know the key or user', async () => {
    const notFound = new NoSuchEntityException({ message: `The Access Key with id ${KEY_ID} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    iam.on(UpdateAccessKeyCommand).rejects(notFound);

    const result = run('deactivate-key');

    await expect(result).rejects.toBeInstanceOf(InvalidIncidentError);
    await expect(result).rejects.toMatchObject({
      message: `UpdateAccessKey: access key ${KEY_ID} of user ci-deploy not found: The Access Key with id ${KEY_ID} cannot be found.`,
      cause: notFound,
    });
  });
});

describe('contain revoke-sessions', () => {
  it('puts the inline revoke policy denying every session issued up to five minutes after revokeBefore', async () => {
    const result = await run('revoke-sessions');

    const calls = iam.commandCalls(PutUserPolicyCommand);
    expect(iam.calls()).toHaveLength(1);
    expect(calls).toHaveLength(1);
    const { UserName, PolicyName, PolicyDocument } = calls[0].args[0].input;
    expect(UserName).toBe('ci-deploy');
    expect(PolicyName).toBe(REVOKE_SESSIONS_POLICY_NAME);
    expect(JSON.parse(PolicyDocument ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': REVOKED_BEFORE } },
        },
      ],
    });
    expect(result).toMatchObject({ action: 'revoke-sessions', status: 'done' });
    expect(result.detail).toContain(REVOKED_BEFORE);
  });

  it('falls back to a customer-managed policy under /exposed-key-responder/ when the inline quota is full', async () => {
    iam.on(PutUserPolicyCommand).rejects(new LimitExceededException({ message: 'Maximum policy size of 2048 bytes exceeded for user ci-deploy', $metadata: { httpStatusCode: 409 } }));
    const d = deps();

    const result = await run('revoke-sessions', anIncident(), d);

    const created = iam.commandCalls(CreatePolicyCommand).map((c) => c.args[0].input);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ PolicyName: FALLBACK_POLICY_NAME, Path: RESPONDER_POLICY_PATH });
    expect(created[0].Path).toBe('/exposed-key-responder/');
    expect(JSON.parse(created[0].PolicyDocument ?? '')).toEqual(revokeOlderSessionsPolicy(REVOKED_BEFORE));
    expect(iam.commandCalls(AttachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-deploy', PolicyArn: FALLBACK_POLICY_ARN },
    ]);
    expect(result.status).toBe('done');
    expect(d.logger.warn).toHaveBeenCalledWith('inline policy quota full: revoking through a managed policy', { userName: 'ci-deploy' });
  });

  it('accepts a fallback policy that already exists (a retried step) and still attaches it', async () => {
    iam.on(PutUserPolicyCommand).rejects(new LimitExceededException({ message: 'quota', $metadata: {} }));
    iam.on(CreatePolicyCommand).rejects(new EntityAlreadyExistsException({ message: `A policy called ${FALLBACK_POLICY_NAME} already exists.`, $metadata: {} }));

    const result = await run('revoke-sessions');

    expect(iam).toHaveReceivedCommandWith(AttachUserPolicyCommand, { UserName: 'ci-deploy', PolicyArn: FALLBACK_POLICY_ARN });
    expect(result.status).toBe('done');
  });

  it('turns throttling of the fallback CreatePolicy into TransientAwsError without attaching anything', async () => {
    iam.on(PutUserPolicyCommand).rejects(new LimitExceededException({ message: 'quota', $metadata: {} }));
    iam.on(CreatePolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = run('revoke-sessions');

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('CreatePolicy: Throttling: Rate exceeded');
    expect(iam).not.toHaveReceivedCommand(AttachUserPolicyCommand);
  });

  it('rethrows AccessDenied on PutUserPolicy unchanged and does not fall back', async () => {
    const denied = awsError('AccessDenied', 'User is not authorized to perform: iam:PutUserPolicy', 403);
    iam.on(PutUserPolicyCommand).rejects(denied);

    await expect(run('revoke-sessions')).rejects.toBe(denied);
    expect(iam).not.toHaveReceivedCommand(CreatePolicyCommand);
  });

  it('fails with InvalidIncidentError when the user does not exist', async () => {
    iam.on(PutUserPolicyCommand).rejects(new NoSuchEntityException({ message: 'The user with name ci-deploy cannot be found.', $metadata: {} }));

    await expect(run('revoke-sessions')).rejects.toBeInstanceOf(InvalidIncidentError);
  });
});

describe('contain quarantine', () => {
  it('attaches the configured quarantine policy to the user', async () => {
    const result = await run('quarantine');

    expect(iam.calls()).toHaveLength(1);
    expect(iam.commandCalls(AttachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-deploy', PolicyArn: QUARANTINE_POLICY_ARN },
    ]);
    expect(result).toEqual({
      action: 'quarantine',
      status: 'done',
      detail: `attach quarantine policy ${QUARANTINE_POLICY_ARN} to user ci-deploy`,
      at: NOW.toISOString(),
    });
  });

  it('puts the compact quarantine inline when the user already has its quota of managed policies', async () => {
    iam.on(AttachUserPolicyCommand).rejects(awsError('LimitExceededException', 'Cannot exceed quota for PoliciesPerUser: 10'));

    const result = await run('quarantine');

    const [put] = iam.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({ UserName: 'ci-deploy', PolicyName: QUARANTINE_INLINE_POLICY_NAME });
    const document = JSON.parse(put.PolicyDocument ?? '');
    expect(document).toEqual(compactQuarantinePolicy());
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(JSON.stringify(document).replace(/\s/g, '').length).toBeLessThan(1500); // leaves room in the 2,048 inline quota
    expect(result.detail).toBe(`put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ci-deploy (its managed-policy quota is full)`);
  });

  it('does not fall back for another attach error', async () => {
    iam.on(AttachUserPolicyCommand).rejects(awsError('AccessDenied', 'not allowed'));

    await expect(run('quarantine')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(iam.commandCalls(PutUserPolicyCommand)).toEqual([]);
  });
});

describe('contain: principals it must not touch', () => {
  it.each(ACTIONS)('skips %s for the root user without any IAM call', async (action) => {
    const incident = anIncident({ userName: 'root', principalType: 'root' });

    const result = await run(action, incident);

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ action, status: 'skipped', detail: expect.stringContaining('root'), at: NOW.toISOString() });
  });

  it.each(ACTIONS)('skips %s for a protected user without any IAM call', async (action) => {
    const incident = anIncident({ userName: 'break-glass', protectedPrincipal: true });

    const result = await run(action, incident);

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.status).toBe('skipped');
    expect(result.detail).toBe('user break-glass is protected by configuration: nothing was changed, a human must act');
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
  ] as Array<[ContainAction, string]>)('reports what %s would do without any IAM call', async (action, detail) => {
    const result = await run(action, anIncident(), deps({ dryRun: true }));

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ action, status: 'dry-run', detail, at: NOW.toISOString() });
  });
});

describe('contain: transient failures', () => {
  const throttling = awsError('Throttling', 'Rate exceeded');

  it.each([
    ['deactivate-key', 'UpdateAccessKey', () => iam.on(UpdateAccessKeyCommand).rejects(throttling)],
    ['revoke-sessions', 'PutUserPolicy', () => iam.on(PutUserPolicyCommand).rejects(throttling)],
    ['quarantine', 'AttachUserPolicy', () => iam.on(AttachUserPolicyCommand).rejects(throttling)],
  ] as const)('turns Throttling during %s into TransientAwsError keeping the cause', async (action, operation, throttle) => {
    throttle();

    const result = run(action);

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toMatchObject({ message: `${operation}: Throttling: Rate exceeded`, cause: throttling });
  });

  it('turns an IAM 500 into TransientAwsError', async () => {
    iam.on(UpdateAccessKeyCommand).rejects(awsError('ServiceFailure', 'Internal failure', 500));

    await expect(run('deactivate-key')).rejects.toBeInstanceOf(TransientAwsError);
  });
});
