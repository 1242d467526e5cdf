import type * as IamModule from '@aws-sdk/client-iam';
import type * as SfnModule from '@aws-sdk/client-sfn';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as DispatcherHandlerModule from '../../../lambdas/dispatcher/index';
import { ACCOUNT_ID, KEY_ID, loadIsolated, readEvent, restoreEnv } from '../helpers';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-key-response';
const ENV = {
  STATE_MACHINE_ARN,
  PROTECTED_USERS: '',
  ACCOUNT_ID,
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:exposed-key-responder',
  QUARANTINE_WINDOW_HOURS: '24',
  DRY_RUN: 'false',
  PROTECTED_ROLES: '',
};

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
  it.each(['STATE_MACHINE_ARN', 'PROTECTED_USERS', 'ACCOUNT_ID', 'TOPIC_ARN', 'QUARANTINE_WINDOW_HOURS', 'DRY_RUN', 'PROTECTED_ROLES'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });

  it.each(['0', '721', '1.5', 'a day'])('fails at load when QUARANTINE_WINDOW_HOURS is %j', (value) => {
    expect(() => loadHandler({ ...ENV, QUARANTINE_WINDOW_HOURS: value })).toThrow('QUARANTINE_WINDOW_HOURS must be a whole number of hours from 1 to 720');
  });

  it('fails at load on a PROTECTED_USERS entry that is neither a user name nor a /path/* prefix', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_USERS: 'admin, bad name!' })).toThrow('protected principal "bad name!" is neither an IAM user name nor an IAM path prefix');
  });

  it('fails at load on a PROTECTED_ROLES entry that is neither a role name nor a /path/* prefix, and on a DRY_RUN that is not a boolean', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_ROLES: 'OrgAdmin, bad role!' })).toThrow('"bad role!"');
    expect(() => loadHandler({ ...ENV, DRY_RUN: 'maybe' })).toThrow('DRY_RUN');
  });

  it('fails at load when ACCOUNT_ID is not 12 digits', () => {
    expect(() => loadHandler({ ...ENV, ACCOUNT_ID: '12345' })).toThrow('ACCOUNT_ID must be a 12-digit account id');
  });

  it('retries every client adaptively, eight attempts, before the event goes to the dead-letter queue', () => {
    const { CLIENT_RETRIES } = require('../../../lambdas/dispatcher/handler') as { CLIENT_RETRIES: { retryMode: string; maxAttempts: number } };
    expect(CLIENT_RETRIES).toEqual({ retryMode: 'adaptive', maxAttempts: 8 });
  });

  it('reads CloudTrail in us-east-1 whatever the Lambda\'s region', async () => {
    const loaded = loadIsolated({ ...ENV, AWS_REGION: 'eu-west-1' }, () => {
      const ct = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
      const iamSdk = require('@aws-sdk/client-iam') as typeof IamModule;
      const regions: string[] = [];
      mockClient(ct.CloudTrailClient).send.callsFake(async function (this: { config: { region: () => Promise<string> } }) {
        regions.push(await this.config.region());
        return { Events: [], $metadata: {} };
      });
      const iamMock = mockClient(iamSdk.IAMClient);
      iamMock.on(iamSdk.GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [] });
      mockClient((require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns')).SNSClient).resolves({ MessageId: 'm' });
      const { handler } = require('../../../lambdas/dispatcher/index') as typeof DispatcherHandlerModule;
      return { handler, regions };
    });
    const event = { version: '0', id: 'q', 'detail-type': 'AWS Health Event', source: 'aws.health', account: ACCOUNT_ID, time: '2026-11-20T10:00:00Z', detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_IAM_QUARANTINE' } };

    const result = await loaded.handler(event);

    expect(loaded.regions).toEqual(['us-east-1', 'us-east-1']);
    expect(result.notified.map((n) => n.reason)).toEqual(['unresolved']);
  });
});

describe('dispatcher handler: the STS client', () => {
  it('names the account of another account\'s key through STS, from the Lambda\'s region, with the same retries as every client', async () => {
    const loaded = loadIsolated({ ...ENV, AWS_REGION: 'eu-west-1' }, () => {
      const stsSdk = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
      const iamSdk = require('@aws-sdk/client-iam') as typeof IamModule;
      const snsSdk = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
      const seen: Array<{ input: unknown; region: string; maxAttempts: number; retryMode: string }> = [];
      type Config = { region: () => Promise<string>; maxAttempts: () => Promise<number>; retryMode: string };
      mockClient(stsSdk.STSClient).send.callsFake(async function (this: { config: Config }, command: { input: unknown }) {
        seen.push({ input: command.input, region: await this.config.region(), maxAttempts: await this.config.maxAttempts(), retryMode: this.config.retryMode });
        return { Account: '210987654321', $metadata: {} };
      });
      mockClient(iamSdk.IAMClient).on(iamSdk.GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      const sns = mockClient(snsSdk.SNSClient);
      sns.on(snsSdk.PublishCommand).resolves({ MessageId: 'm-1' });
      const { handler } = require('../../../lambdas/dispatcher/index') as typeof DispatcherHandlerModule;
      return { handler, seen, sns, snsSdk };
    });

    const result = await loaded.handler(trustedAdvisorEvent('ci-deploy'));

    expect(loaded.seen).toEqual([{ input: { AccessKeyId: KEY_ID }, region: 'eu-west-1', maxAttempts: 8, retryMode: 'adaptive' }]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'other-account-key' }]);
    const message = loaded.sns.commandCalls(loaded.snsSdk.PublishCommand)[0].args[0].input.Message;
    expect(message).toContain(`access key ${KEY_ID}: STS says this key belongs to account 210987654321, not to this one: nothing was changed here.`);
  });
});

describe('dispatcher handler: invocation', () => {
  it('parses the event and starts the execution on STATE_MACHINE_ARN', async () => {
    const { handler, sfnSdk, sfn, iam, iamSdk } = loadHandler(ENV);
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    iam.on(iamSdk.GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    const result = await handler(trustedAdvisorEvent('ci-deploy'));

    const calls = sfn.commandCalls(sfnSdk.StartExecutionCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(1);
    expect(calls[0].stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(calls[0].name).toMatch(new RegExp(`^${KEY_ID}-\\d{8}$`));
    expect(JSON.parse(calls[0].input ?? '').incident).toMatchObject({ accessKeyId: KEY_ID, userName: 'ci-deploy', protectedPrincipal: false });
    expect(result.started.map((s) => s.executionArn)).toEqual(['arn:exec']);
    expect(iam.commandCalls(iamSdk.GetAccessKeyLastUsedCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: KEY_ID }]);
  });

  it('marks the users listed in PROTECTED_USERS as protected', async () => {
    const { handler, sfnSdk, sfn, iam, iamSdk } = loadHandler({ ...ENV, PROTECTED_USERS: 'admin, break-glass' });
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    iam.on(iamSdk.GetAccessKeyLastUsedCommand).resolves({ UserName: 'break-glass' });

    await handler(trustedAdvisorEvent('break-glass'));

    const input = JSON.parse(sfn.commandCalls(sfnSdk.StartExecutionCommand)[0].args[0].input.input ?? '');
    expect(input.incident).toMatchObject({ userName: 'break-glass', protectedPrincipal: true });
  });

  it('fails on an event it cannot parse, starting nothing', async () => {
    const { handler, sfn } = loadHandler(ENV);
    const event = readEvent('support-case-update-create.json');
    event.account = ACCOUNT_ID;

    const result = handler(event);

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: 'unknown event source "aws.support"' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });
});

describe('dispatcher createHandler (the seam the drill uses)', () => {
  it('starts executions on the state machine of the environment it is given, and fails fast on a gap in it', async () => {
    const { createHandler, sfnSdk, sfn, iam, iamSdk } = loadHandler(ENV);
    sfn.on(sfnSdk.StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    iam.on(iamSdk.GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
    const otherStateMachine = 'arn:aws:states:us-east-1:123456789012:stateMachine:other';

    await createHandler({ ...ENV, STATE_MACHINE_ARN: otherStateMachine, PROTECTED_USERS: 'ci-deploy' })(trustedAdvisorEvent('ci-deploy'));

    const input = sfn.commandCalls(sfnSdk.StartExecutionCommand)[0].args[0].input;
    expect(input.stateMachineArn).toBe(otherStateMachine);
    expect(JSON.parse(input.input ?? '').incident.protectedPrincipal).toBe(true);
    expect(() => createHandler({ ...ENV, STATE_MACHINE_ARN: otherStateMachine, PROTECTED_USERS: undefined })).toThrow('environment variable PROTECTED_USERS is required');
  });
});
