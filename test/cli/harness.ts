import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationApi, EventsApi, PutEventsEntry, QueueApi } from '../../cli/aws/ports';
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

export const sfn = mockClient(SFNClient);
export const s3 = mockClient(S3Client);
export const sns = mockClient(SNSClient);
export const iam = mockClient(IAMClient);
export const sts = mockClient(STSClient);
export const secrets = mockClient(SecretsManagerClient);
export const support = mockClient(SupportClient);
export const ec2 = mockClient(EC2Client);

/** The fakes of the three APIs without an SDK client here, and what they were asked. */
export class Fakes {
  outputs: Record<string, string> | Error = { ...OUTPUTS };
  resources: Array<{ logicalId: string; physicalId: string; type: string }> = [];
  ruleStates: Record<string, string> = {};
  putEventsError?: Error;
  putEventsResult?: Awaited<ReturnType<EventsApi['putEvents']>>;
  deadLetters = 0;
  readonly put: PutEventsEntry[] = [];

  readonly cloudformation: CloudFormationApi = {
    describeStack: async (stackName) => {
      if (this.outputs instanceof Error) throw this.outputs;
      return { stackName, stackStatus: 'UPDATE_COMPLETE', outputs: this.outputs };
    },
    listStackResources: async () => this.resources,
  };
  readonly events: EventsApi = {
    putEvents: async (entries) => {
      if (this.putEventsError) throw this.putEventsError;
      this.put.push(...entries);
      return this.putEventsResult ?? { failedEntryCount: 0, entries: [{ eventId: 'evt-1' }] };
    },
    describeRule: async (name) => ({ state: this.ruleStates[name] ?? 'ENABLED' }),
  };
  readonly sqs: QueueApi = { approximateMessages: async () => this.deadLetters };
}

export function stackMissing(): Error {
  return awsError('ValidationError', 'Stack with id ExposedKeyResponder does not exist');
}

export function noCredentials(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
}

export function resetMocks(): Fakes {
  for (const m of [sfn, s3, sns, iam, sts, secrets, support, ec2]) m.reset();
  return new Fakes();
}

/** Runs the command line on the mocks; what it printed and its exit code. */
export async function cli(argv: string[], fakes: Fakes, options: { confirm?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const clients: Clients = {
    sts: new STSClient({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }), s3: new S3Client({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }), iam: new IAMClient({ region: 'us-east-1' }), secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    support: new SupportClient({ region: 'us-east-1' }), ec2: (region) => new EC2Client({ region }),
    cloudformation: fakes.cloudformation, events: fakes.events, sqs: fakes.sqs,
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
