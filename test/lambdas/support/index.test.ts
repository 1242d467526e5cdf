import type * as SupportModule from '@aws-sdk/client-support';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as SupportHandlerModule from '../../../lambdas/support/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv } from '../helpers';

const ENV = { DRY_RUN: 'false', SUPPORT_SEVERITY: 'high' };
const NEW_CASE_ID = 'case-123456789012-muen-2026-0000000000000099';

interface Loaded {
  handler: typeof SupportHandlerModule.handler;
  createHandler: typeof SupportHandlerModule.createHandler;
  sdk: typeof SupportModule;
  support: AwsClientStub<SupportModule.SupportClient>;
}

/** Imports the handler afresh (it reads its environment at load), with the Support client of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-support') as typeof SupportModule;
    const support = mockClient(sdk.SupportClient);
    support.on(sdk.DescribeCasesCommand).resolves({ cases: [] });
    support.on(sdk.CreateCaseCommand).resolves({ caseId: NEW_CASE_ID });
    const { handler, createHandler } = require('../../../lambdas/support/index') as typeof SupportHandlerModule;
    return { handler, createHandler, sdk, support };
  });
}

afterEach(() => {
  restoreEnv();
});

describe('support handler: configuration', () => {
  it.each(['DRY_RUN', 'SUPPORT_SEVERITY'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });

  it.each(['severe', 'High', 'medium'])('fails at load when SUPPORT_SEVERITY is %s, not a Support API severity code', (value) => {
    expect(() => loadHandler({ ...ENV, SUPPORT_SEVERITY: value })).toThrow(
      `environment variable SUPPORT_SEVERITY must be one of low, normal, high, urgent, critical, got "${value}"`,
    );
  });

  it('fails at load when DRY_RUN is neither true nor false', () => {
    expect(() => loadHandler({ ...ENV, DRY_RUN: 'no' })).toThrow('environment variable DRY_RUN must be true or false, got "no"');
  });
});

describe('support handler: invocation', () => {
  it('opens the case with the severity from SUPPORT_SEVERITY, through a client of us-east-1 whatever the Lambda\'s region', async () => {
    const { handler, sdk, support } = loadHandler({ ...ENV, SUPPORT_SEVERITY: 'critical', AWS_REGION: 'eu-west-1' });

    const result = await handler({ incident: anIncident(), executionId: 'arn:aws:states:eu-west-1:123456789012:execution:x:y' });

    expect(support).toHaveReceivedCommandWith(sdk.CreateCaseCommand, { severityCode: 'critical', categoryCode: 'security' });
    const client = support.call(0).thisValue as SupportModule.SupportClient;
    await expect(client.config.region()).resolves.toBe('us-east-1');
    expect(result).toEqual({ status: 'case-created', caseId: NEW_CASE_ID });
  });

  it('writes nothing when DRY_RUN is true', async () => {
    const { handler, sdk, support } = loadHandler({ ...ENV, DRY_RUN: 'true' });

    const result = await handler({ incident: anIncident() });

    expect(result.status).toBe('dry-run');
    expect(support).not.toHaveReceivedCommand(sdk.CreateCaseCommand);
    expect(support).not.toHaveReceivedCommand(sdk.AddCommunicationToCaseCommand);
  });

  it('accepts the other parts of the state in any shape (a failed step leaves { failed })', async () => {
    const { handler } = loadHandler(ENV);

    const result = await handler({ incident: anIncident(), investigation: { failed: { step: 'Investigate', error: { Error: 'X' } } }, report: 'odd', slack: {} });

    expect(result.status).toBe('case-created');
  });

  it('rejects an incident that does not fit with InvalidIncidentError and calls nothing', async () => {
    const { handler, support } = loadHandler(ENV);

    const result = handler({ incident: { ...anIncident(), accessKeyId: 'not a key' } });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^support: input does not fit: incident\.accessKeyId: /) });
    expect(support).not.toHaveReceivedAnyCommand();
  });
});

describe('support createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given rather than process.env, and fails fast on a bad severity in it', async () => {
    const { createHandler, sdk, support } = loadHandler(ENV);

    const handler = createHandler({ DRY_RUN: 'false', SUPPORT_SEVERITY: 'low' });
    await handler({ incident: anIncident() });

    expect(support).toHaveReceivedCommandWith(sdk.CreateCaseCommand, { severityCode: 'low', subject: expect.stringContaining(KEY_ID) });
    expect(() => createHandler({ DRY_RUN: 'false', SUPPORT_SEVERITY: 'sev1' })).toThrow('SUPPORT_SEVERITY must be one of');
  });
});
