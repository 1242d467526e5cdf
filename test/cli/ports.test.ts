import { cloudFormationApi, eventsApi, queueApi } from '../../cli/aws/ports';
import { Signing } from '../../cli/aws/rpc';

// The three APIs without an SDK client here: signed requests as AWS expects them, answers read,
// errors thrown with their AWS code. No network: `fetch` is a fake.
function signing(answer: { status: number; text: string }, seen: Array<{ url: string; init: RequestInit }>): Signing {
  return {
    region: async () => 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }),
    fetch: (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return { status: answer.status, text: async () => answer.text };
    }) as unknown as typeof fetch,
  };
}

const DESCRIBE_STACKS = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
<StackName>ExposedKeyResponder</StackName><Parameters><member><ParameterKey>BootstrapVersion</ParameterKey><ParameterValue>/cdk-bootstrap/hnb659fds/version</ParameterValue></member></Parameters>
<StackStatus>UPDATE_COMPLETE</StackStatus><Outputs><member><OutputKey>IncidentBucketName</OutputKey><OutputValue>ekr-incidents</OutputValue></member>
<member><OutputKey>StateMachineArn</OutputKey><OutputValue>arn:aws:states:us-east-1:123456789012:stateMachine:X&amp;Y</OutputValue></member></Outputs>
</member></Stacks></DescribeStacksResult></DescribeStacksResponse>`;

describe('CloudFormation through signed Query calls', () => {
  it('reads the stack status and outputs, entities decoded, and signs with SigV4 for cloudformation in the region', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];

    const stack = await cloudFormationApi(signing({ status: 200, text: DESCRIBE_STACKS }, seen)).describeStack('ExposedKeyResponder');

    expect(stack).toEqual({ stackName: 'ExposedKeyResponder', stackStatus: 'UPDATE_COMPLETE', outputs: { IncidentBucketName: 'ekr-incidents', StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:X&Y' } });
    expect(seen[0].url).toBe('https://cloudformation.us-east-1.amazonaws.com/');
    expect(seen[0].init.body).toBe('Action=DescribeStacks&Version=2010-05-15&StackName=ExposedKeyResponder');
    expect((seen[0].init.headers as Record<string, string>).authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/cloudformation\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
  });

  it('throws the AWS error code as the name (an unknown stack)', async () => {
    const error = '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id X does not exist</Message></Error></ErrorResponse>';

    await expect(cloudFormationApi(signing({ status: 400, text: error }, [])).describeStack('X')).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id X does not exist' });
  });
});

describe('EventBridge and SQS through signed JSON calls', () => {
  it('puts an event with its target header and reads the event id', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];

    const out = await eventsApi(signing({ status: 200, text: '{"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]}' }, seen))
      .putEvents([{ EventBusName: 'bus', Source: 's', DetailType: 'd', Detail: '{}', Time: new Date('2026-11-20T10:00:00Z') }]);

    expect(out).toEqual({ failedEntryCount: 0, entries: [{ eventId: 'e-1' }] });
    expect((seen[0].init.headers as Record<string, string>)['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(JSON.parse(String(seen[0].init.body))).toEqual({ Entries: [{ EventBusName: 'bus', Source: 's', DetailType: 'd', Detail: '{}', Time: 1795168800 }] });
  });

  it('throws AccessDeniedException by its code', async () => {
    const denied = '{"__type":"AccessDeniedException","message":"User is not authorized to perform: events:PutEvents"}';

    await expect(eventsApi(signing({ status: 400, text: denied }, [])).putEvents([])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('reads the number of messages waiting in the dead-letter queue', async () => {
    const n = await queueApi(signing({ status: 200, text: '{"Attributes":{"ApproximateNumberOfMessages":"3"}}' }, [])).approximateMessages('https://sqs.us-east-1.amazonaws.com/1/q');

    expect(n).toBe(3);
  });
});
