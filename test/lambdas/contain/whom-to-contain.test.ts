// Whom contain changes and whom it spares, each with the case beside it that must go the other way,
// and the log lines that record each change and each refusal (the audit trail).
import { AttachUserPolicyCommand, IAMClient, LimitExceededException, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contain } from '../../../lambdas/contain/contain';
import { Incident } from '../../../lambdas/shared/incident';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { ContainAction } from '../../../lambdas/shared/steps';
import { anIncident, KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';
import { containDeps, NOW, QUARANTINE_POLICY_ARN } from './deps';
import { fakeUser } from './fake-user';

const iam = mockClient(IAMClient);
const HUMAN = 'nothing was changed, a human must act';
const deps = containDeps;

const run = (action: ContainAction, d = deps(), incident: Incident = anIncident()) => contain(incident, action, REVOKE_BEFORE, d);
const written = () => [
  ...iam.commandCalls(UpdateAccessKeyCommand).map((c) => `UpdateAccessKey ${c.args[0].input.UserName}`),
  ...iam.commandCalls(PutUserPolicyCommand).map((c) => `PutUserPolicy ${c.args[0].input.UserName}`),
  ...iam.commandCalls(AttachUserPolicyCommand).map((c) => `AttachUserPolicy ${c.args[0].input.UserName}`),
];

beforeEach(() => {
  iam.reset();
});

describe('contain: a user who is not protected, beside protected ones', () => {
  it.each([
    ['a protected list naming another user', ['break-glass'], '/'],
    ['a protected name it only starts like', ['ci'], '/'],
    ['a path beside a protected /path/* prefix', ['/breakglass/*'], '/breakglass-not/'],
    ['a path above a protected /path/* prefix', ['/ci/deploy/*'], '/ci/'],
  ])('contains ci-deploy with %s', async (_what, entries, path) => {
    fakeUser(iam, 'ci-deploy', { path });
    const d = deps({ protectedPrincipals: parseProtectedPrincipals(entries) });

    const result = await run('deactivate-key', d);

    expect(result).toEqual({
      action: 'deactivate-key',
      status: 'done',
      detail: `set access key ${KEY_ID} of user ci-deploy Inactive`,
      changes: [{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY_ID, before: 'Active', after: 'Inactive' }],
      at: NOW.toISOString(),
    });
    expect(written()).toEqual(['UpdateAccessKey ci-deploy']);
    expect(d.logger.warn).not.toHaveBeenCalled();
  });

  it('spares the protected user and contains the other one with the same rules', async () => {
    fakeUser(iam, 'break-glass');
    const rules = { protectedPrincipals: parseProtectedPrincipals(['break-glass']) };

    const spared = await run('quarantine', deps(rules), anIncident({ userName: 'break-glass' }));
    iam.reset();
    fakeUser(iam, 'ci-deploy');
    const contained = await run('quarantine', deps(rules));

    expect([spared.status, contained.status]).toEqual(['skipped', 'done']);
    expect(written()).toEqual(['AttachUserPolicy ci-deploy']);
  });
});

describe('contain: the log lines of each refusal', () => {
  it('logs and returns the refusal of a root key, with what the root user must do', async () => {
    const d = deps();

    const result = await run('deactivate-key', d, anIncident({ userName: 'root', principalType: 'root' }));

    const reason = 'root access keys cannot be deactivated from inside the account: the root user must act (see the notification)';
    expect(result).toEqual({ action: 'deactivate-key', status: 'skipped', detail: reason, at: NOW.toISOString() });
    expect(d.logger.warn).toHaveBeenCalledWith('containment refused', { action: 'deactivate-key', userName: 'root', reason });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('logs the refusal of a user the dispatcher found protected', async () => {
    const d = deps();

    await run('revoke-sessions', d, anIncident({ userName: 'break-glass', protectedPrincipal: true }));

    expect(d.logger.warn).toHaveBeenCalledWith('containment refused', {
      action: 'revoke-sessions',
      userName: 'break-glass',
      reason: `user break-glass is protected by configuration: ${HUMAN}`,
    });
  });

  it('refuses a tagged user in a dry run too, saying why, and changes nothing', async () => {
    fakeUser(iam, 'ci-deploy', { tags: { 'exposed-key-responder:protected': 'true' } });
    const d = deps({ dryRun: true });

    const result = await run('quarantine', d);

    const reason = `user ci-deploy carries the tag exposed-key-responder:protected=true: ${HUMAN}`;
    expect(result).toEqual({ action: 'quarantine', status: 'skipped', detail: reason, at: NOW.toISOString() });
    expect(d.logger.warn).toHaveBeenCalledWith('containment refused', { action: 'quarantine', userName: 'ci-deploy', reason });
    expect(d.logger.info).not.toHaveBeenCalled();
  });
});

describe('contain: the log lines of each change', () => {
  beforeEach(() => {
    fakeUser(iam, 'ci-deploy');
  });

  it('logs what a dry run would do', async () => {
    const d = deps({ dryRun: true });

    await run('revoke-sessions', d);

    expect(d.logger.info).toHaveBeenCalledWith('dry run: would contain', {
      action: 'revoke-sessions',
      plan: `deny every session of user ci-deploy issued before ${REVOKED_BEFORE} (inline policy ExposedKeyResponder-RevokeOlderSessions)`,
    });
    expect(written()).toEqual([]);
  });

  it('logs the revoke policy written, with its time and attempt, then the containment', async () => {
    const d = deps();

    await run('revoke-sessions', d);

    expect(d.logger.info.mock.calls).toEqual([
      ['revoke policy written', { userName: 'ci-deploy', revokedBefore: REVOKED_BEFORE, attempt: 1 }],
      ['contained', { action: 'revoke-sessions', detail: `deny every session of user ci-deploy issued before ${REVOKED_BEFORE} (inline policy ExposedKeyResponder-RevokeOlderSessions)` }],
    ]);
  });

  it('logs the quarantine attached', async () => {
    const d = deps();

    await run('quarantine', d);

    expect(d.logger.info.mock.calls).toEqual([['contained', { action: 'quarantine', detail: `attach quarantine policy ${QUARANTINE_POLICY_ARN} to user ci-deploy` }]]);
  });

  it('logs the fall back to the inline quarantine when the managed-policy quota is full', async () => {
    iam.on(AttachUserPolicyCommand).rejects(new LimitExceededException({ message: 'Cannot exceed quota for PoliciesPerUser: 10', $metadata: { httpStatusCode: 409 } }));
    const d = deps();

    await run('quarantine', d);

    expect(d.logger.warn).toHaveBeenCalledWith('managed policy quota full: quarantining with an inline policy', { userName: 'ci-deploy' });
    expect(d.logger.info).toHaveBeenCalledWith('contained', {
      action: 'quarantine',
      detail: 'put inline quarantine policy ExposedKeyResponder-Quarantine on user ci-deploy (its managed-policy quota is full)',
    });
    expect(written()).toEqual(['PutUserPolicy ci-deploy', 'AttachUserPolicy ci-deploy']);
  });
});
