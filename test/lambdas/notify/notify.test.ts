import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { buildMessage } from '../../../lambdas/notify/message';
import { notify, NotifyDeps } from '../../../lambdas/notify/notify';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { NotifyInput } from '../../../lambdas/shared/steps';
import { anIncident, awsError, fakeLogger, KEY_ID } from '../helpers';

const sns = mockClient(SNSClient);

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-key-responder-notifications';

function deps(): NotifyDeps & { logger: ReturnType<typeof fakeLogger> } {
  return { sns: new SNSClient({}), logger: fakeLogger(), config: { topicArn: TOPIC_ARN } };
}

const CONTAINED: NotifyInput = {
  incident: anIncident(),
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:x',
  containment: [{ action: 'deactivate-key', status: 'done', detail: `set access key ${KEY_ID} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.000Z' }],
};

const FAILED: NotifyInput = {
  incident: anIncident(),
  containment: [{ failed: { step: 'DeactivateKey', error: { Error: 'AccessDenied', Cause: '{"errorMessage":"not authorized"}' } } }],
  failure: { step: 'Contain', error: { Error: 'ContainmentIncomplete', Cause: 'one or more containment actions failed after their retries' } },
};

beforeEach(() => {
  sns.reset();
});

describe('notify', () => {
  it('publishes exactly the built subject and body to the topic, once', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const expected = buildMessage(CONTAINED);

    const result = await notify(CONTAINED, deps());

    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: TOPIC_ARN, Subject: expected.subject, Message: expected.body },
    ]);
    expect(expected.subject).toBe(`[CONTAINED] Exposed key ${KEY_ID} (ci-deploy) in 123456789012`);
    expect(result).toEqual({ channel: 'email', subject: expected.subject, body: expected.body, messageId: 'msg-1' });
  });

  it('publishes a failure notification that names the failed step', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });

    await notify(FAILED, deps());

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: `[FAILED] Exposed key ${KEY_ID} (ci-deploy) in 123456789012`,
      Message: expect.stringContaining('[FAILED] DeactivateKey: AccessDenied: not authorized'),
    });
  });

  it('turns a throttled publish into TransientAwsError keeping the cause', async () => {
    const throttled = new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    sns.on(PublishCommand).rejects(throttled);

    const result = notify(CONTAINED, deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toMatchObject({ message: 'SNS Publish: ThrottledException: Rate exceeded', cause: throttled });
  });

  it('rethrows a non-transient failure (authorization) unchanged', async () => {
    const denied = awsError('AuthorizationError', 'User is not authorized to perform: SNS:Publish', 403);
    sns.on(PublishCommand).rejects(denied);

    await expect(notify(CONTAINED, deps())).rejects.toBe(denied);
  });
});
