import type * as IamModule from '@aws-sdk/client-iam';
import type * as SfnModule from '@aws-sdk/client-sfn';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as DispatcherHandlerModule from '../../../lambdas/dispatcher/index';
import { ACCOUNT_ID, KEY_ID, loadIsolated, readEvent, restoreEnv } from '../helpers';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-key-response';
const ENV = { STATE_MACHINE_ARN, PROTECTED_USERS: '' };

interface Loaded {
  handler: typeof DispatcherHandlerModule.handler;
  createHandler: typeof DispatcherHandlerModule.createHandler;
  iamSdk: typeof IamModule;
  sfnSdk: typeof SfnModule;
  iam: AwsClientStub<IamModule.IAMClient>;
  sfn: AwsClientStub<SfnModule.SFNClient>;
}

function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const iamSdk = require('@aws-sdk/client-iam') as typeof IamModule;
    const sfnSdk = require('@aws-sdk/client-sfn') as typeof SfnModule;
    const iam = mockClient(iamSdk.IAMClient);
    const sfn = mockClient(sfnSdk.SFNClient);
    const { handler, createHandler } = require('../../../lambdas/dispatcher/index') as typeof DispatcherHandlerModule;
    return { handler, createHandler, iamSdk, sfnSdk, iam, sfn };
  });
}

function trustedAdvisorEvent(userName: string): Record<string, any> {
  const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
  event.account = ACCOUNT_ID;
  event.detail['check-item-detail']['Access Key ID'] = KEY_ID;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

afterEach(() => {
  restoreEnv();
});

describe('dispatcher handler: configuration', () => {
  it.each(['STATE_MACHINE_ARN', 'PROTECTED_USERS'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });
});

describe('dispatcher handler: invocation', () => {
  it('parses the event and starts the execution on STATE_MACHINE_ARN', async () => {
    const { handler, sfnSdk, sfn, iam } = loadHandler(ENV);
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    const result = await handler(trustedAdvisorEvent('ci-deploy'));

    const calls = sfn.commandCalls(sfnSdk.StartExecutionCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(1);
    expect(calls[0].stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(calls[0].name).toMatch(new RegExp(`^${KEY_ID}-\\d{8}$`));
    expect(JSON.parse(calls[0].input ?? '').incident).toMatchObject({ accessKeyId: KEY_ID, userName: 'ci-deploy', protectedPrincipal: false });
    expect(result.started.map((s) => s.executionArn)).toEqual(['arn:exec']);
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('marks the users listed in PROTECTED_USERS as protected', async () => {
    const { handler, sfnSdk, sfn } = loadHandler({ ...ENV, PROTECTED_USERS: 'admin, break-glass' });
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    await handler(trustedAdvisorEvent('break-glass'));

    const input = JSON.parse(sfn.commandCalls(sfnSdk.StartExecutionCommand)[0].args[0].input.input ?? '');
    expect(input.incident).toMatchObject({ userName: 'break-glass', protectedPrincipal: true });
  });

  it('fails on an event it cannot parse, starting nothing', async () => {
    const { handler, sfn } = loadHandler(ENV);

    const result = handler(readEvent('support-case-update-create.json'));

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: 'unknown event source "aws.support"' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });
});

describe('dispatcher createHandler (the seam the drill uses)', () => {
  it('starts executions on the state machine of the environment it is given, and fails fast on a gap in it', async () => {
    const { createHandler, sfnSdk, sfn } = loadHandler(ENV);
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const otherStateMachine = 'arn:aws:states:us-east-1:123456789012:stateMachine:other';

    await createHandler({ STATE_MACHINE_ARN: otherStateMachine, PROTECTED_USERS: 'ci-deploy' })(trustedAdvisorEvent('ci-deploy'));

    const input = sfn.commandCalls(sfnSdk.StartExecutionCommand)[0].args[0].input;
    expect(input.stateMachineArn).toBe(otherStateMachine);
    expect(JSON.parse(input.input ?? '').incident.protectedPrincipal).toBe(true);
    expect(() => createHandler({ STATE_MACHINE_ARN: otherStateMachine })).toThrow('environment variable PROTECTED_USERS is required');
  });
});
