import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { buildMessage } from '../../../lambdas/notify/message';
import { notify, NotifyDeps } from '../../../lambdas/notify/notify';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { buildReport } from '../../../lambdas/report/record';
import { WorkflowState } from '../../../lambdas/shared/state';
import { anIncident, awsError, fakeLogger, KEY_ID } from '../helpers';

const sns = mockClient(SNSClient);

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-key-responder-notifications';

const NOW = new Date('2026-11-20T10:05:00.000Z');

function deps(): NotifyDeps & { logger: ReturnType<typeof fakeLogger> } {
  return { sns: new SNSClient({}), logger: fakeLogger(), config: { topicArn: TOPIC_ARN }, now: () => NOW };
}

const CONTAINED: WorkflowState = {
  incident: anIncident(),
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:x',
  containment: [{ action: 'deactivate-key', status: 'done', detail: `set access key ${KEY_ID} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.000Z' }],
};

const FAILED: WorkflowState = {
  incident: anIncident(),
  containment: [{ failed: { step: 'DeactivateKey', error: { Error: 'AccessDenied', Cause: '{"errorMessage":"not authorized"}' } } }],
};

beforeEach(() => {
  sns.reset();
});

describe('notify', () => {
  it('publishes exactly the rendering of the record built from the state, once', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const expected = buildMessage(buildReport(CONTAINED, NOW));

    const result = await notify(CONTAINED, deps());

    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: TOPIC_ARN, Subject: expected.subject, Message: expected.body },
    ]);
    expect(expected.subject).toBe(`[CONTAINED] Exposed key ${KEY_ID} (ci-deploy) in 123456789012`);
    expect(result).toEqual({ channel: 'email', subject: expected.subject, body: expected.body, messageId: 'msg-1' });
  });

  it('publishes a failure notification that names the failed step and says the key is still Active first', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });

    await notify(FAILED, deps());

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: `[FAILED] Exposed key ${KEY_ID} (ci-deploy) in 123456789012`,
      Message: expect.stringContaining('[FAILED] DeactivateKey: AccessDenied: not authorized'),
    });
    const body = sns.commandCalls(PublishCommand)[0].args[0].input.Message ?? '';
    expect(body.split('\n').slice(0, 5)).toEqual([
      `Containment FAILED (DeactivateKey): access key ${KEY_ID} may still work`,
      '',
      'Still open, do this first:',
      `  1. Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`,
      `     aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`,
    ]);
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
