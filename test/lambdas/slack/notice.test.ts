import type * as SecretsModule from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type * as SlackHandlerModule from '../../../lambdas/slack/index';
import { isNoticeInput, noticeMessage } from '../../../lambdas/slack/notice';
import type { PostFn } from '../../../lambdas/slack/slack';
import { anIncident, loadIsolated, restoreEnv } from '../helpers';
import { SECRET_ARN, WEBHOOK_URL } from './fixtures';

afterEach(() => restoreEnv());

const NOTICE = {
  notice: {
    subject: '[UNRESOLVED] exposed-key report in 123456789012 names no key the responder can contain',
    text: 'AWS reported an exposed credential.\n\n1. access key <AKIA...> & more\n   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE',
  },
};

describe('noticeMessage', () => {
  it('posts the subject as the header and the text, escaped, as sections', () => {
    const message = noticeMessage(NOTICE);

    expect(message).toEqual({
      text: NOTICE.notice.subject,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `:rotating_light: ${NOTICE.notice.subject}`.slice(0, 150), emoji: true } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'AWS reported an exposed credential.\n\n1. access key &lt;AKIA...&gt; &amp; more\n   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE' },
        },
      ],
    });
  });

  it('splits a long text into sections of at most 3000 characters, at most 50 blocks', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(400)}`).join('\n');

    const message = noticeMessage({ notice: { subject: 's', text } });

    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const b of message.blocks.slice(1) as Array<{ text: { text: string } }>) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('slack handler: the dispatcher\'s notice', () => {
  it('tells a notice from the workflow state', () => {
    expect(isNoticeInput(NOTICE)).toBe(true);
    expect(isNoticeInput({ incident: anIncident() })).toBe(false);
  });

  it('posts a notice to the same webhook, and rejects a notice of the wrong shape', async () => {
    const post = jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 200, text: 'ok' });
    const { createHandler, sdk, secrets } = loadIsolated({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, () => {
      const secretsSdk = require('@aws-sdk/client-secrets-manager') as typeof SecretsModule;
      return { ...(require('../../../lambdas/slack/index') as typeof SlackHandlerModule), sdk: secretsSdk, secrets: mockClient(secretsSdk.SecretsManagerClient) };
    });
    secrets.on(sdk.GetSecretValueCommand).resolves({ SecretString: WEBHOOK_URL });
    const handler = createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post });

    await expect(handler(NOTICE)).resolves.toEqual({ status: 'sent' });
    await expect(handler({ notice: { subject: '', text: 'x' } })).rejects.toMatchObject({ name: 'InvalidIncidentError' });

    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0][0]).toBe(WEBHOOK_URL);
    expect(JSON.parse(post.mock.calls[0][1])).toEqual(noticeMessage(NOTICE));
  });
});
