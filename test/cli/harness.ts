import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeRuleCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { mockClient } from 'aws-sdk-client-mock';
import { Clients } from '../../cli/context';
import { runCli } from '../../cli/main';

export const ACCOUNT = '123456789012';
export const STATE_MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ExposedKeyResponse`;
export const BUCKET = 'ekr-incidents';
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ekr-topic`;
export const QUARANTINE = `arn:aws:iam::${ACCOUNT}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`;
export const DLQ = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/ekr-dlq`;
export const NOW = new Date('2026-11-20T10:10:00.000Z');

export const OUTPUTS: Record<string, string> = {
  StateMachineArn: STATE_MACHINE, IncidentBucketName: BUCKET, NotificationTopicArn: TOPIC, DeadLetterQueueUrl: DLQ, QuarantinePolicyArn: QUARANTINE,
};

/** An AWS error as the SDK throws it. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

export const cloudformation = mockClient(CloudFormationClient);
export const events = mockClient(EventBridgeClient);
export const sqs = mockClient(SQSClient);
export const sfn = mockClient(SFNClient);
export const s3 = mockClient(S3Client);
export const sns = mockClient(SNSClient);
export const iam = mockClient(IAMClient);
export const sts = mockClient(STSClient);
export const secrets = mockClient(SecretsManagerClient);
export const support = mockClient(SupportClient);
export const ec2 = mockClient(EC2Client);

/** DescribeStacks answers the stack with these outputs, or fails with this error. */
export function stackAnswers(outputs: Record<string, string> | Error): void {
  const describe = cloudformation.on(DescribeStacksCommand, { StackName: 'ExposedKeyResponder' });
  if (outputs instanceof Error) describe.rejects(outputs);
  else describe.resolves({ Stacks: [{ StackName: 'ExposedKeyResponder', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date('2026-11-01T00:00:00Z'), Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });
}

/** CloudFormation's own answer for an unknown stack: a ValidationError, as the SDK throws it. */
export function stackMissing(): Error {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Stack with id ExposedKeyResponder does not exist' });
}

export function noCredentials(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
}

/** The events put on EventBridge. */
export function putEntries() {
  return events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}

/** Every mock reset; the stack found with its outputs, the bus accepting events, rules enabled, the dead-letter queue empty. */
export function resetMocks(): void {
  for (const m of [cloudformation, events, sqs, sfn, s3, sns, iam, sts, secrets, support, ec2]) m.reset();
  forAccountCalls.length = 0;
  stackAnswers(OUTPUTS);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
  events.on(DescribeRuleCommand).resolves({ State: 'ENABLED' });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
}

/** What the command line asked clients of another account with (restore of a member account's incident). */
export const forAccountCalls: Array<Parameters<Clients['forAccount']>[0]> = [];

/** Runs the command line on the mocks; what it printed and its exit code. */
export async function cli(argv: string[], options: { confirm?: boolean; region?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const region = { region: options.region ?? 'us-east-1' };
  const clients: Clients = {
    sts: new STSClient(region), sfn: new SFNClient(region), s3: new S3Client(region), sns: new SNSClient(region), iam: new IAMClient(region),
    secrets: new SecretsManagerClient(region), support: new SupportClient(region), ec2: (r) => new EC2Client({ region: r }),
    cloudformation: new CloudFormationClient(region), events: new EventBridgeClient(region), sqs: new SQSClient(region),
    forAccount: (access) => {
      forAccountCalls.push(access);
      const config = { region: 'us-east-1', ...access };
      return { iam: new IAMClient(config), sts: new STSClient(config), ec2: (r) => new EC2Client({ ...config, region: r }) };
    },
  };
  const code = await runCli(argv, {
    clients: () => clients,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    now: () => NOW,
    sleep: async () => undefined,
    confirm: async () => options.confirm ?? false,
  });
  return { code, stdout: out.join(''), stderr: err.join(''), json: () => JSON.parse(out.join('')) };
}

/** A GetObject answer with this text as its body. */
export function body(text: string) {
  return { Body: { transformToString: async () => text } } as never;
}
