import type * as IamModule from '@aws-sdk/client-iam';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as ContainHandlerModule from '../../../lambdas/contain/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv, REVOKE_BEFORE } from '../helpers';

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const ENV = { DRY_RUN: 'false', QUARANTINE_POLICY_ARN };

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
  it.each(['DRY_RUN', 'QUARANTINE_POLICY_ARN'])('fails at load when %s is missing', (name) => {
    const load = () => loadHandler({ ...ENV, [name]: undefined });

    expect(load).toThrow(`environment variable ${name} is required`);
  });

  it('fails at load when DRY_RUN is neither true nor false', () => {
    expect(() => loadHandler({ ...ENV, DRY_RUN: 'yes' })).toThrow('environment variable DRY_RUN must be true or false, got "yes"');
  });
});

describe('contain handler: invocation', () => {
  it('parses the step input and deactivates the key through the core', async () => {
    const { handler, sdk, iam } = loadHandler(ENV);
    iam.on(sdk.UpdateAccessKeyCommand).resolves({});

    const result = await handler({ incident: anIncident(), action: 'deactivate-key', revokeBefore: REVOKE_BEFORE });

    expect(iam.commandCalls(sdk.UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Inactive' },
    ]);
    expect(result).toMatchObject({ action: 'deactivate-key', status: 'done' });
  });

  it('attaches the quarantine policy named by QUARANTINE_POLICY_ARN', async () => {
    const { handler, sdk, iam } = loadHandler(ENV);
    iam.on(sdk.AttachUserPolicyCommand).resolves({});

    await handler({ incident: anIncident(), action: 'quarantine', revokeBefore: REVOKE_BEFORE });

    expect(iam).toHaveReceivedCommandWith(sdk.AttachUserPolicyCommand, { UserName: 'ci-deploy', PolicyArn: QUARANTINE_POLICY_ARN });
  });

  it('changes nothing when DRY_RUN is true', async () => {
    const { handler, iam } = loadHandler({ ...ENV, DRY_RUN: 'true' });

    const result = await handler({ incident: anIncident(), action: 'revoke-sessions', revokeBefore: REVOKE_BEFORE });

    expect(result.status).toBe('dry-run');
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('rejects input that does not fit with InvalidIncidentError and calls nothing', async () => {
    const { handler, iam } = loadHandler(ENV);

    const result = handler({ incident: anIncident(), action: 'delete-key', revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^contain: input does not fit: action: /) });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('contain createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given rather than process.env, and fails fast on a gap in it', async () => {
    const { createHandler, iam } = loadHandler(ENV);
    const otherArn = 'arn:aws:iam::123456789012:policy/other-quarantine';

    const handler = createHandler({ DRY_RUN: 'true', QUARANTINE_POLICY_ARN: otherArn });
    const result = await handler({ incident: anIncident(), action: 'quarantine', revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ status: 'dry-run', detail: `would attach quarantine policy ${otherArn} to user ci-deploy` });
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(() => createHandler({ DRY_RUN: 'false' })).toThrow('environment variable QUARANTINE_POLICY_ARN is required');
  });
});
