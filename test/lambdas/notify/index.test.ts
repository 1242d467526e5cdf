import type * as SnsModule from '@aws-sdk/client-sns';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as NotifyHandlerModule from '../../../lambdas/notify/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv } from '../helpers';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-key-responder-notifications';

interface Loaded {
  handler: typeof NotifyHandlerModule.handler;
  createHandler: typeof NotifyHandlerModule.createHandler;
  sdk: typeof SnsModule;
  sns: AwsClientStub<SnsModule.SNSClient>;
}

function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-sns') as typeof SnsModule;
    const sns = mockClient(sdk.SNSClient);
    const { handler, createHandler } = require('../../../lambdas/notify/index') as typeof NotifyHandlerModule;
    return { handler, createHandler, sdk, sns };
  });
}

afterEach(() => {
  restoreEnv();
});

describe('notify handler', () => {
  it('fails at load when TOPIC_ARN is missing', () => {
    expect(() => loadHandler({ TOPIC_ARN: undefined })).toThrow('environment variable TOPIC_ARN is required');
  });

  it('publishes to TOPIC_ARN the notification built from the whole workflow state', async () => {
    const { handler, sdk, sns } = loadHandler({ TOPIC_ARN });
    sns.on(sdk.PublishCommand).resolves({ MessageId: 'msg-1' });
    // What NotifyResult receives: the whole state, including keys it does not use.
    const state = {
      incident: anIncident(),
      containment: [{ failed: { step: 'RevokeSessions', error: { Error: 'TransientAwsError', Cause: '{"errorMessage":"PutUserPolicy: Throttling: Rate exceeded"}' } } }],
      error: { Error: 'ignored' },
      executionId: 'arn:exec',
    };

    const result = await handler(state);

    expect(sns).toHaveReceivedCommandTimes(sdk.PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(sdk.PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: `[FAILED] Exposed key ${KEY_ID} (ci-deploy) in 123456789012`,
      Message: expect.stringContaining('[FAILED] RevokeSessions: TransientAwsError: PutUserPolicy: Throttling: Rate exceeded'),
    });
    expect(result).toMatchObject({ channel: 'email', messageId: 'msg-1' });
  });

  it('rejects input without an incident with InvalidIncidentError and publishes nothing', async () => {
    const { handler, sns } = loadHandler({ TOPIC_ARN });

    const result = handler({ verification: { failed: { step: 'Verify', error: { Error: 'X' } } } });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringContaining('notify: input does not fit: incident') });
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('notify createHandler (the seam the drill uses)', () => {
  it('publishes to the topic of the environment it is given, and fails fast on a gap in it', async () => {
    const { createHandler, sdk, sns } = loadHandler({ TOPIC_ARN });
    sns.on(sdk.PublishCommand).resolves({ MessageId: 'msg-2' });
    const otherTopic = 'arn:aws:sns:us-east-1:123456789012:other-topic';

    await createHandler({ TOPIC_ARN: otherTopic })({ incident: anIncident() });

    expect(sns).toHaveReceivedCommandWith(sdk.PublishCommand, { TopicArn: otherTopic });
    expect(() => createHandler({})).toThrow('environment variable TOPIC_ARN is required');
  });
});
