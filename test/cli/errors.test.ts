import { Readable } from 'node:stream';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { Clients } from '../../cli/context';
import { runCli } from '../../cli/main';
const KEY = 'AKIAIOSFODNN7EXAMPLE';

// The errors as AWS sends them on the wire (CloudFormation's Query XML, EventBridge's JSON), read by
// the SDK clients' own deserializers: the command line must explain what the SDK really throws.
type Answer = { status: number; body: string };
const XML = (code: string, message: string) => `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
const STACK = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>ExposedKeyResponder</StackName><CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${
  Object.entries({ StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:X', IncidentBucketName: 'b', NotificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:t', DeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', QuarantinePolicyArn: 'arn:aws:iam::123456789012:policy/q', ReportBusName: 'reports' })
    .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('')
}</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`;

/** Clients whose every request is answered by `answers[service]` (the endpoint's first label), never sent. */
function clientsAnswering(region: string, answers: Record<string, Answer>): Clients {
  const requestHandler = {
    handle: async (request: { hostname: string }) => {
      const answer = answers[request.hostname.split('.')[0]] ?? { status: 500, body: 'not expected' };
      return { response: { statusCode: answer.status, headers: { 'content-type': answer.body.startsWith('<') ? 'text/xml' : 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(answer.body)]) } };
    },
  } as never;
  const config = { region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler, maxAttempts: 1 };
  return {
    sts: new STSClient(config), sfn: new SFNClient(config), s3: new S3Client(config), sns: new SNSClient(config), iam: new IAMClient(config),
    secrets: new SecretsManagerClient(config), support: new SupportClient(config), ec2: (r) => new EC2Client({ ...config, region: r }),
    cloudformation: new CloudFormationClient(config), events: new EventBridgeClient(config), sqs: new SQSClient(config),
    forAccount: () => { throw new Error('not expected: no other account'); },
  };
}

async function run(argv: string[], answers: Record<string, Answer>, region = 'us-east-1') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--json'], { clients: () => clientsAnswering(region, answers), stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, error: JSON.parse(out.join('')).error as { code: string; message: string }, stderr: err.join('') };
}

describe('AWS errors as the SDK reads them off the wire', () => {
  it('CloudFormation\'s ValidationError for an unknown stack is StackNotFound, with the region to use', async () => {
    const r = await run(['list'], { cloudformation: { status: 400, body: XML('ValidationError', 'Stack with id ExposedKeyResponder does not exist') } }, 'eu-west-1');

    expect(r.code).toBe(1);
    expect(r.error).toEqual({ code: 'StackNotFound', message: 'stack ExposedKeyResponder not found in eu-west-1 (pass --stack <name> if it was deployed under another name). The responder is deployed in us-east-1: pass --region us-east-1.' });
  });

  it('another ValidationError is not taken for a missing stack', async () => {
    const r = await run(['list'], { cloudformation: { status: 400, body: XML('ValidationError', '1 validation error detected: Value at \'stackName\' failed to satisfy constraint') } });

    expect(r.code).toBe(1);
    expect(r.error.code).toBe('ValidationError');
  });

  it('CloudFormation\'s AccessDenied is AccessDenied', async () => {
    const r = await run(['show', 'AKIAIOSFODNN7EXAMPLE-20261120'], { cloudformation: { status: 403, body: XML('AccessDenied', 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: cloudformation:DescribeStacks') } });

    expect(r.code).toBe(1);
    expect(r.error.code).toBe('AccessDenied');
    expect(r.error.message).toContain('not authorized to perform: cloudformation:DescribeStacks');
  });

  it('expired credentials say to sign in again', async () => {
    const r = await run(['doctor'], { cloudformation: { status: 403, body: XML('ExpiredToken', 'The security token included in the request is expired') } });

    expect(r.code).toBe(1);
    expect(r.error).toEqual({ code: 'NoCredentials', message: 'exposed-key-responder doctor: AWS refused the credentials (ExpiredToken: The security token included in the request is expired). Sign in again or pass another --profile.' });
  });

  it('EventBridge\'s AccessDeniedException on the report bus is AccessDenied', async () => {
    const r = await run(['report', '--key', KEY], {
      cloudformation: { status: 200, body: STACK },
      events: { status: 400, body: '{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/x is not authorized to perform: events:PutEvents on resource: reports with an explicit deny"}' },
    });

    expect(r.code).toBe(1);
    expect(r.error.code).toBe('AccessDenied');
    expect(r.error.message).toContain('events:PutEvents on resource: reports with an explicit deny');
  });
});
