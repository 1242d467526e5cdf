import type * as IamModule from '@aws-sdk/client-iam';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as ContainHandlerModule from '../../../lambdas/contain/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv, REVOKE_BEFORE } from '../helpers';

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const ENV = { DRY_RUN: 'false', QUARANTINE_POLICY_ARN, PROTECTED_USERS: 'break-glass,/admins/*', DELETE_MEMBER_ROOT_KEYS: 'false' };

interface Loaded {
  handler: typeof ContainHandlerModule.handler;
  createHandler: typeof ContainHandlerModule.createHandler;
  sdk: typeof IamModule;
  iam: AwsClientStub<IamModule.IAMClient>;
}

/** Imports the handler afresh (it reads its environment at load), with the IAM client of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-iam') as typeof IamModule;
    const iam = mockClient(sdk.IAMClient);
    const { handler, createHandler } = require('../../../lambdas/contain/index') as typeof ContainHandlerModule;
    return { handler, createHandler, sdk, iam };
  });
}

afterEach(() => {
  restoreEnv();
});

describe('contain handler: configuration', () => {
  it.each(['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'PROTECTED_USERS', 'DELETE_MEMBER_ROOT_KEYS'])('fails at load when %s is missing', (name) => {
    const load = () => loadHandler({ ...ENV, [name]: undefined });

    expect(load).toThrow(`environment variable ${name} is required`);
  });

  it('accepts an empty PROTECTED_USERS (nobody protected)', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_USERS: '' })).not.toThrow();
  });

  it('fails at load on a protected entry that is neither a user name nor a /path/* prefix', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_USERS: 'ok-user,/admins/' })).toThrow(
      'protected principal "/admins/" is neither an IAM user name nor an IAM path prefix written /path/*',
    );
  });

  it('fails at load when DELETE_MEMBER_ROOT_KEYS is true outside organization mode (no MEMBER_ROLE_NAME)', () => {
    expect(() => loadHandler({ ...ENV, DELETE_MEMBER_ROOT_KEYS: 'true' })).toThrow(
      'environment variable DELETE_MEMBER_ROOT_KEYS is true without MEMBER_ROLE_NAME: deleting root keys needs organization mode',
    );
    expect(() => loadHandler({ ...ENV, DELETE_MEMBER_ROOT_KEYS: 'true', MEMBER_ROLE_NAME: 'exposed-key-responder-member', ACCOUNT_ID: '999988887777' })).not.toThrow();
  });

  it('fails at load when DRY_RUN is neither true nor false', () => {
    expect(() => loadHandler({ ...ENV, DRY_RUN: 'yes' })).toThrow('environment variable DRY_RUN must be true or false, got "yes"');
  });
});

describe('contain handler: invocation', () => {
  it('parses the step input and deactivates the key through the core', async () => {
    const { handler, sdk, iam } = loadHandler(ENV);
    iam.on(sdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });
    iam.on(sdk.UpdateAccessKeyCommand).resolves({});

    const result = await handler({ incident: anIncident(), action: 'deactivate-key', revokeBefore: REVOKE_BEFORE });

    expect(iam.commandCalls(sdk.UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Inactive' },
    ]);
    expect(result).toMatchObject({ action: 'deactivate-key', status: 'done' });
  });

  it('attaches the quarantine policy named by QUARANTINE_POLICY_ARN', async () => {
    const { handler, sdk, iam } = loadHandler(ENV);
    iam.on(sdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });
    iam.on(sdk.AttachUserPolicyCommand).resolves({});

    await handler({ incident: anIncident(), action: 'quarantine', revokeBefore: REVOKE_BEFORE });

    expect(iam).toHaveReceivedCommandWith(sdk.AttachUserPolicyCommand, { UserName: 'ci-deploy', PolicyArn: QUARANTINE_POLICY_ARN });
  });

  it('refuses a user under a PROTECTED_USERS path prefix, as IAM says its path is', async () => {
    const { handler, sdk, iam } = loadHandler(ENV);
    iam.on(sdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/admins/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });

    const result = await handler({ incident: anIncident(), action: 'deactivate-key', revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'skipped', detail: expect.stringContaining('protected by the entry "/admins/*"') });
    expect(iam).not.toHaveReceivedCommand(sdk.UpdateAccessKeyCommand);
  });

  it('changes nothing when DRY_RUN is true', async () => {
    const { handler, sdk, iam } = loadHandler({ ...ENV, DRY_RUN: 'true' });
    iam.on(sdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });

    const result = await handler({ incident: anIncident(), action: 'revoke-sessions', revokeBefore: REVOKE_BEFORE });

    expect(result.status).toBe('dry-run');
    expect(iam.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetUserCommand']);
  });

  it('rejects input that does not fit with InvalidIncidentError and calls nothing', async () => {
    const { handler, iam } = loadHandler(ENV);

    const result = handler({ incident: anIncident(), action: 'delete-key', revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^contain: input does not fit: action: /) });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('contain handler: a root key', () => {
  it('per-account mode: changes nothing and makes no call (the root user must act)', async () => {
    const { handler, iam } = loadHandler(ENV);

    const result = await handler({ incident: anIncident({ userName: 'root', principalType: 'root' }), action: 'deactivate-key', revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'skipped', detail: 'root access keys cannot be deactivated from inside the account: the root user must act (see the notification)' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('contain createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given rather than process.env, and fails fast on a gap in it', async () => {
    const { createHandler, sdk, iam } = loadHandler(ENV);
    const otherArn = 'arn:aws:iam::123456789012:policy/other-quarantine';
    iam.on(sdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });

    const handler = createHandler({ DRY_RUN: 'true', QUARANTINE_POLICY_ARN: otherArn, PROTECTED_USERS: '', DELETE_MEMBER_ROOT_KEYS: 'false' });
    const result = await handler({ incident: anIncident(), action: 'quarantine', revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'dry-run', detail: `would attach quarantine policy ${otherArn} to user ci-deploy` });
    expect(iam).not.toHaveReceivedCommand(sdk.AttachUserPolicyCommand);
    expect(() => createHandler({ DRY_RUN: 'false' })).toThrow('environment variable QUARANTINE_POLICY_ARN is required');
    expect(() => createHandler({ DRY_RUN: 'false', QUARANTINE_POLICY_ARN: otherArn })).toThrow('environment variable PROTECTED_USERS is required');
  });
});
