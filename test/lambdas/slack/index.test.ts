import type * as SecretsModule from '@aws-sdk/client-secrets-manager';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as SlackHandlerModule from '../../../lambdas/slack/index';
import type { PostFn } from '../../../lambdas/slack/slack';
import { anIncident, loadIsolated, restoreEnv } from '../helpers';
import { fullInput, ROTATED_URL, SECRET_ARN, WEBHOOK_TOKEN, WEBHOOK_URL } from './fixtures';

interface Loaded {
  handler: typeof SlackHandlerModule.handler;
  createHandler: typeof SlackHandlerModule.createHandler;
  sdk: typeof SecretsModule;
  secrets: AwsClientStub<SecretsModule.SecretsManagerClient>;
}

/** Imports the handler afresh (it reads its environment at load), with the Secrets Manager client of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-secrets-manager') as typeof SecretsModule;
    const secrets = mockClient(sdk.SecretsManagerClient);
    const { handler, createHandler } = require('../../../lambdas/slack/index') as typeof SlackHandlerModule;
    return { handler, createHandler, sdk, secrets };
  });
}

function fakePost(status = 200): jest.Mock<ReturnType<PostFn>, Parameters<PostFn>> {
  return jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status, text: status === 200 ? 'ok' : 'no' });
}

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

describe('slack handler: configuration', () => {
  it('fails at load when SLACK_WEBHOOK_SECRET is missing altogether', () => {
    expect(() => loadHandler({ SLACK_WEBHOOK_SECRET: undefined })).toThrow('environment variable SLACK_WEBHOOK_SECRET is required');
  });

  it('answers not-configured, calling nothing, when SLACK_WEBHOOK_SECRET is empty', async () => {
    const { handler, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: '' });

    await expect(handler(fullInput())).resolves.toEqual({ status: 'not-configured' });
    expect(secrets).not.toHaveReceivedAnyCommand();
  });
});

describe('slack handler: invocation', () => {
  it('rejects input that does not fit with InvalidIncidentError', async () => {
    const { handler, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN });

    const result = handler({ incident: { ...anIncident(), source: 'twitter' } });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^slack: input does not fit: incident\.source: /) });
    expect(secrets).not.toHaveReceivedAnyCommand();
  });

  it('posts through the injected post, reading the secret once per cold start', async () => {
    const { createHandler, sdk, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: '' });
    secrets.on(sdk.GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ url: WEBHOOK_URL }) });
    const post = fakePost();

    const handler = createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post });
    await expect(handler(fullInput())).resolves.toEqual({ status: 'sent' });
    await expect(handler(fullInput())).resolves.toEqual({ status: 'sent' });

    expect(post.mock.calls.map(([url]) => url)).toEqual([WEBHOOK_URL, WEBHOOK_URL]);
    expect(secrets).toHaveReceivedCommandTimes(sdk.GetSecretValueCommand, 1);
  });

  it('keeps the cache per handler: a new handler (a new cold start, a new drill run) reads again', async () => {
    const { createHandler, sdk, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: '' });
    secrets.on(sdk.GetSecretValueCommand).resolves({ SecretString: WEBHOOK_URL });

    await createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post: fakePost() })(fullInput());
    await createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post: fakePost() })(fullInput());

    expect(secrets).toHaveReceivedCommandTimes(sdk.GetSecretValueCommand, 2);
  });

  it('follows a rotation between two invocations of a warm Lambda', async () => {
    const { createHandler, sdk, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: '' });
    secrets.on(sdk.GetSecretValueCommand).resolvesOnce({ SecretString: WEBHOOK_URL }).resolves({ SecretString: ROTATED_URL });
    const post = jest.fn<ReturnType<PostFn>, Parameters<PostFn>>()
      .mockResolvedValueOnce({ status: 200, text: 'ok' })
      .mockResolvedValueOnce({ status: 403, text: 'invalid_token' })
      .mockResolvedValueOnce({ status: 200, text: 'ok' });
    const handler = createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post });

    await handler(fullInput());
    const result = await handler(fullInput());

    expect(result).toEqual({ status: 'sent' });
    expect(post.mock.calls.map(([url]) => url)).toEqual([WEBHOOK_URL, WEBHOOK_URL, ROTATED_URL]);
  });

  it('never writes the webhook URL to the log, even at DEBUG', async () => {
    const { createHandler, sdk, secrets } = loadHandler({ SLACK_WEBHOOK_SECRET: '', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    secrets.on(sdk.GetSecretValueCommand).resolves({ SecretString: WEBHOOK_URL });
    const written: string[] = [];
    const capture = (chunk: unknown): boolean => {
      written.push(String(chunk));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));

    const handler = createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post: fakePost(404) });
    await handler(fullInput());
    await createHandler({ SLACK_WEBHOOK_SECRET: SECRET_ARN }, { post: fakePost(200) })(fullInput());

    const log = written.join('\n');
    expect(log).toContain('hooks.slack.com'); // the host is logged...
    expect(log).toContain('Slack notification failed');
    expect(log).not.toContain(WEBHOOK_TOKEN); // ...the URL never
    expect(log).not.toContain('/services/');
  });
});
