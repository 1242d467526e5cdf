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

describe('notify: the record\'s time', () => {
  /** Launched 2 h before the record was written (10:00), 2 h 5 min before the email (NOW, 10:05). */
  const MINER = {
    region: 'eu-west-1', instanceId: 'i-0miner0000000001', status: 'created' as const, snapshotIds: ['snap-0a'], volumeIds: ['vol-0a'],
    instanceType: 'c5.24xlarge', state: 'running', launchTime: '2026-11-20T08:00:00.000Z', usdPerHour: 4.608, operatingSystem: 'Linux' as const,
  };
  const WRITTEN: WorkflowState = {
    ...CONTAINED,
    evidence: { snapshots: [MINER], dryRun: false },
    report: {
      bucket: 'b', jsonKey: 'incidents/x/report.json', markdownKey: 'incidents/x/report.md', consoleUrl: 'https://example.invalid/',
      outcome: 'contained', failures: 0, complete: true, writtenAt: '2026-11-20T10:00:00.000Z',
    },
  };

  it('says what the record says: the cost so far at the time the record was written, not at the time of sending', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-3' });

    await notify(WRITTEN, deps());

    const body = sns.commandCalls(PublishCommand)[0].args[0].input.Message ?? '';
    expect(body).toContain('i-0miner0000000001 c5.24xlarge in eu-west-1, running since 2026-11-20T08:00:00.000Z: $4.608/hour Linux on-demand, about $9.22 so far (2.0 h)');
  });

  it('estimates at the time of sending when the record could not be written', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-4' });
    const unwritten: WorkflowState = { ...WRITTEN, report: { failed: { step: 'WriteReport', error: { Error: 'AccessDenied', Cause: '{}' } } } };

    await notify(unwritten, deps());

    const body = sns.commandCalls(PublishCommand)[0].args[0].input.Message ?? '';
    expect(body).toContain('$4.608/hour Linux on-demand, about $9.60 so far (2.1 h)');
  });
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
