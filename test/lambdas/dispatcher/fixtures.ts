import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand, StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DispatchConfig, DispatchDeps } from '../../../lambdas/dispatcher/dispatch';
import { Incident } from '../../../lambdas/shared/incident';
import { parseProtectedPrincipals, protectionCheck } from '../../../lambdas/shared/protection';
import { ACCOUNT_ID, fakeLogger, healthEventFromDescribeEvents, KEY_ID, readEvent, viaEventBridge } from '../helpers';

export const iam = mockClient(IAMClient);
export const sfn = mockClient(SFNClient);
export const sns = mockClient(SNSClient);
export const cloudtrail = mockClient(CloudTrailClient);

export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-key-response';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-key-responder';
export const NOW = new Date('2026-11-20T10:00:00.000Z');

export type TestDeps = DispatchDeps & { logger: ReturnType<typeof fakeLogger>; keyAccount: jest.Mock; sleep: jest.Mock };

export function deps(config: Partial<DispatchConfig> = {}, now = NOW): TestDeps {
  return {
    iam: new IAMClient({}),
    sfn: new SFNClient({}),
    sns: new SNSClient({}),
    cloudtrail: new CloudTrailClient({ region: 'us-east-1' }),
    keyAccount: jest.fn(async () => undefined),
    sleep: jest.fn(async () => undefined),
    logger: fakeLogger(),
    config: {
      stateMachineArn: STATE_MACHINE_ARN,
      protection: parseProtectedPrincipals([]),
      accountId: ACCOUNT_ID,
      topicArn: TOPIC_ARN,
      quarantineWindowHours: 24,
      roleSessions: { dryRun: false, protection: protectionCheck(parseProtectedPrincipals([]), parseProtectedPrincipals([], 'role')) },
      ...config,
    },
    now: () => now,
  };
}

export function executionArn(name: string): string {
  return `arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:${name}`;
}

/** Resets every mock; StartExecution and Publish answer as AWS does. */
export function resetAws(): void {
  for (const m of [iam, sfn, sns, cloudtrail]) m.reset();
  sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({ executionArn: executionArn(input.name ?? ''), startDate: NOW }));
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
}

/** The executions started, with their input parsed back from JSON. */
export function startedExecutions(): Array<{ stateMachineArn?: string; name?: string; incident: Incident }> {
  return sfn.commandCalls(StartExecutionCommand).map((c) => {
    const input = c.args[0].input as StartExecutionCommandInput;
    const parsed = JSON.parse(input.input ?? '') as { incident: Incident };
    return { stateMachineArn: input.stateMachineArn, name: input.name, incident: parsed.incident };
  });
}

/** The messages published to the topic. */
export function published(): Array<{ topicArn?: string; subject?: string; message?: string }> {
  return sns.commandCalls(PublishCommand).map((c) => ({ topicArn: c.args[0].input.TopicArn, subject: c.args[0].input.Subject, message: c.args[0].input.Message }));
}

/** The message attributes of each message published to the topic. */
export function publishedAttributes(): unknown[] {
  return sns.commandCalls(PublishCommand).map((c) => c.args[0].input.MessageAttributes);
}

export function trustedAdvisorEvent(key = KEY_ID, userName: unknown = 'ci-deploy'): Record<string, any> {
  const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
  event.account = ACCOUNT_ID;
  event.detail['check-item-detail']['Access Key ID'] = key;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

export function cloudTrailQuarantineEvent(userName = 'ci-deploy'): Record<string, any> {
  const record = readEvent('cloudtrail-record-attach-quarantine-v2.json');
  record.requestParameters.userName = userName;
  return viaEventBridge(record);
}

/** The 2022 AWS_RISK_IAM_QUARANTINE (no entity), at 2022-12-21T14:46:18.719Z. */
export function iamQuarantineEvent(): Record<string, any> {
  return healthEventFromDescribeEvents(readEvent('health-describe-events-iam-quarantine-2022.json'));
}

/** A CloudTrail LookupEvents entry for a record of this account. */
export function lookupEntry(record: Record<string, unknown>): { EventId: string; EventName: string; CloudTrailEvent: string } {
  const full = { eventSource: 'iam.amazonaws.com', awsRegion: 'us-east-1', recipientAccountId: ACCOUNT_ID, ...record };
  return { EventId: `ev-${String(record.eventName)}-${JSON.stringify(record.requestParameters)}`, EventName: String(record.eventName), CloudTrailEvent: JSON.stringify(full) };
}
