import type * as SecretsModule from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type * as SlackHandlerModule from '../../../lambdas/slack/index';
import { isSnsEvent, noticeMessage } from '../../../lambdas/slack/notice';
import type { PostFn } from '../../../lambdas/slack/slack';
import { anIncident, loadIsolated, restoreEnv } from '../helpers';
import { SECRET_ARN, WEBHOOK_TOKEN, WEBHOOK_URL } from './fixtures';

afterEach(() => restoreEnv());

const SUBJECT = '[UNRESOLVED] exposed-key report in 123456789012 names no key the responder can contain';
const TEXT = 'AWS reported an exposed credential.\n\n1. access key <AKIA...> & more\n   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ExposedKeyResponder-NotificationsTopic';

/** The event Lambda receives from the topic's subscription (the shape of AWS's sample SNS event). */
function snsEvent(sns: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: '2026-11-20T10:00:02.000Z',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          Message: TEXT,
          MessageAttributes: { 'exposed-key-responder.kind': { Type: 'String', Value: 'notice' } },
          Type: 'Notification',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          TopicArn: TOPIC_ARN,
          Subject: SUBJECT,
          ...sns,
        },
      },
    ],
  };
}

function loadHandler(post: PostFn, secretId = SECRET_ARN) {
  const { createHandler, sdk, secrets } = loadIsolated({ SLACK_WEBHOOK_SECRET: secretId }, () => {
    const secretsSdk = require('@aws-sdk/client-secrets-manager') as typeof SecretsModule;
    return { ...(require('../../../lambdas/slack/index') as typeof SlackHandlerModule), sdk: secretsSdk, secrets: mockClient(secretsSdk.SecretsManagerClient) };
  });
  secrets.on(sdk.GetSecretValueCommand).resolves({ SecretString: WEBHOOK_URL });
  return { handler: createHandler({ SLACK_WEBHOOK_SECRET: secretId }, { post }), secrets };
}

function fakePost(status = 200): jest.Mock<ReturnType<PostFn>, Parameters<PostFn>> {
  return jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status, text: status === 200 ? 'ok' : `no_service ${WEBHOOK_URL}` });
}

describe('noticeMessage', () => {
  it('posts the subject as the header and the text, escaped, as sections', () => {
    const message = noticeMessage({ subject: SUBJECT, text: TEXT });

    expect(message).toEqual({
      text: SUBJECT,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `:rotating_light: ${SUBJECT}`.slice(0, 150), emoji: true } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'AWS reported an exposed credential.\n\n1. access key &lt;AKIA...&gt; &amp; more\n   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE' },
        },
      ],
    });
  });

  it('splits a long text into sections of at most 3000 characters, at most 50 blocks', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(400)}`).join('\n');

    const message = noticeMessage({ subject: 's', text });

    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const b of message.blocks.slice(1) as Array<{ text: { text: string } }>) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('slack handler: the dispatcher\'s notice, delivered by the topic\'s subscription', () => {
  it('tells an SNS event from the workflow state', () => {
    expect(isSnsEvent(snsEvent())).toBe(true);
    expect(isSnsEvent({ incident: anIncident() })).toBe(false);
    expect(isSnsEvent(null)).toBe(false);
  });

  it('posts the notice\'s subject and text to the webhook', async () => {
    const post = fakePost();
    const { handler } = loadHandler(post);

    await expect(handler(snsEvent())).resolves.toEqual({ status: 'sent' });

    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0][0]).toBe(WEBHOOK_URL);
    expect(JSON.parse(post.mock.calls[0][1])).toEqual({
      text: SUBJECT,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `:rotating_light: ${SUBJECT}`, emoji: true } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'AWS reported an exposed credential.\n\n1. access key &lt;AKIA...&gt; &amp; more\n   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE' },
        },
      ],
    });
  });

  it('throws when Slack does not take the notice, so the delivery is retried, never naming the webhook', async () => {
    const post = fakePost(500);
    const { handler } = loadHandler(post);

    const run = handler(snsEvent());

    await expect(run).rejects.toMatchObject({ name: 'SlackNoticeNotPostedError' });
    await expect(run).rejects.toThrow(`notice 95df01b4-ee98-5cb9-9903-4c221d41eb5e "${SUBJECT}" not posted to Slack: Slack answered 500`);
    await expect(run).rejects.not.toThrow(WEBHOOK_TOKEN);
  });

  it('answers not-configured, posting nothing, when SLACK_WEBHOOK_SECRET is empty', async () => {
    const post = fakePost();
    const { handler, secrets } = loadHandler(post, '');

    await expect(handler(snsEvent())).resolves.toEqual({ status: 'not-configured' });

    expect(post).not.toHaveBeenCalled();
    expect(secrets.calls()).toHaveLength(0);
  });

  it.each([
    ['a message without the notice attribute (a workflow email)', snsEvent({ MessageAttributes: {} })],
    ['another value of the notice attribute', snsEvent({ MessageAttributes: { 'exposed-key-responder.kind': { Type: 'String', Value: 'incident' } } })],
    ['a message without a subject', snsEvent({ Subject: null })],
    ['an empty subject', snsEvent({ Subject: '' })],
    ['a text over 20,000 characters', snsEvent({ Message: 'x'.repeat(20_001) })],
    ['no records', { Records: [] }],
    ['records of another source', { Records: [{ EventSource: 'aws:sqs', Sns: {} }] }],
    ['the old direct-invoke shape', { Records: 'x', notice: { subject: 's', text: 't' } }],
  ])('refuses %s, posting nothing', async (_what, event) => {
    const post = fakePost();
    const { handler } = loadHandler(post);

    await expect(handler(event)).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringContaining('slack notice: input does not fit') });

    expect(post).not.toHaveBeenCalled();
  });

  it('no longer takes the dispatcher\'s old `{notice}` input (it is not the workflow state either)', async () => {
    const post = fakePost();
    const { handler } = loadHandler(post);

    await expect(handler({ notice: { subject: SUBJECT, text: TEXT } })).rejects.toMatchObject({ name: 'InvalidIncidentError' });

    expect(post).not.toHaveBeenCalled();
  });
});
