import type * as IamModule from '@aws-sdk/client-iam';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import type * as VerifyHandlerModule from '../../../lambdas/verify/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const ENV = { DRY_RUN: 'false', QUARANTINE_POLICY_ARN, PROTECTED_USERS: 'break-glass' };

interface Loaded {
  handler: typeof VerifyHandlerModule.handler;
  createHandler: typeof VerifyHandlerModule.createHandler;
  sdk: typeof IamModule;
  iam: AwsClientStub<IamModule.IAMClient>;
}

function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-iam') as typeof IamModule;
    const iam = mockClient(sdk.IAMClient);
    const { handler, createHandler } = require('../../../lambdas/verify/index') as typeof VerifyHandlerModule;
    return { handler, createHandler, sdk, iam };
  });
}

function containedAccount({ sdk, iam }: Loaded, keyStatus: 'Active' | 'Inactive', tags: Record<string, string> = {}): void {
  iam.on(sdk.GetUserCommand, { UserName: 'ci-deploy' }).resolves({
    User: { UserName: 'ci-deploy', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
  });
  iam.on(sdk.ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: keyStatus }] });
  iam.on(sdk.GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: REVOKE_SESSIONS_POLICY_NAME }).resolves({
    PolicyDocument: encodeURIComponent(JSON.stringify(revokeOlderSessionsPolicy(REVOKED_BEFORE))),
  });
  iam.on(sdk.ListAttachedUserPoliciesCommand, { UserName: 'ci-deploy' }).resolves({ AttachedPolicies: [{ PolicyArn: QUARANTINE_POLICY_ARN }] });
}

afterEach(() => {
  restoreEnv();
});

describe('verify handler: configuration', () => {
  it.each(['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'PROTECTED_USERS'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });

  it('fails at load on an unusable protected entry', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_USERS: 'not a user!' })).toThrow('protected principal "not a user!" is neither');
  });
});

describe('verify handler: invocation', () => {
  it('parses the step input and verifies against the quarantine policy named by QUARANTINE_POLICY_ARN', async () => {
    const loaded = loadHandler(ENV);
    containedAccount(loaded, 'Inactive');

    const result = await loaded.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'verified', keyStatus: 'Inactive', quarantineAttached: true, sessionsRevokedBefore: REVOKED_BEFORE, problems: [] });
    expect(loaded.iam).toHaveReceivedCommandWith(loaded.sdk.ListAccessKeysCommand, { UserName: 'ci-deploy' });
  });

  it('fails with ContainmentNotVerifiedError when the key is still Active', async () => {
    const loaded = loadHandler(ENV);
    containedAccount(loaded, 'Active');

    const result = loaded.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({ name: 'ContainmentNotVerifiedError', message: `access key ${KEY_ID} is Active` });
  });

  it('skips a user tagged as protected instead of failing', async () => {
    const loaded = loadHandler(ENV);
    containedAccount(loaded, 'Active', { 'exposed-key-responder:protected': 'true' });

    const result = await loaded.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    expect(result.status).toBe('skipped');
  });

  it('reports instead of failing when DRY_RUN is true', async () => {
    const loaded = loadHandler({ ...ENV, DRY_RUN: 'true' });
    containedAccount(loaded, 'Active');

    const result = await loaded.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'dry-run', problems: [`access key ${KEY_ID} is Active`] });
  });

  it('rejects input without revokeBefore with InvalidIncidentError and reads nothing', async () => {
    const { handler, iam } = loadHandler(ENV);

    const result = handler({ incident: anIncident() });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringContaining('verify: input does not fit: revokeBefore') });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('verify createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given rather than process.env, and fails fast on a gap in it', async () => {
    const loaded = loadHandler(ENV);
    containedAccount(loaded, 'Inactive');

    const handler = loaded.createHandler({ DRY_RUN: 'false', QUARANTINE_POLICY_ARN: 'arn:aws:iam::123456789012:policy/other-quarantine', PROTECTED_USERS: '' });
    const result = handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({
      name: 'ContainmentNotVerifiedError',
      message: 'quarantine policy arn:aws:iam::123456789012:policy/other-quarantine is not attached (nor ExposedKeyResponder-Quarantine inline)',
    });
    expect(() => loaded.createHandler({ QUARANTINE_POLICY_ARN })).toThrow('environment variable DRY_RUN is required');
  });
});
