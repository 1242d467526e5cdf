import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { buildReport } from '../../../lambdas/report/record';
import { slackMessage } from '../../../lambdas/slack/blocks';
import {
  checkWebhookUrl,
  createFetchPost,
  notifySlack,
  parseWebhookSecret,
  PostFn,
  scrub,
  SlackDeps,
  WebhookCache,
} from '../../../lambdas/slack/slack';
import { anIncident, fakeLogger, KEY_ID } from '../helpers';
import { fullInput, REPORT_URL, ROTATED_TOKEN, ROTATED_URL, SECRET_ARN, WEBHOOK_TOKEN, WEBHOOK_URL } from './fixtures';

const secrets = mockClient(SecretsManagerClient);

type FakePost = jest.Mock<ReturnType<PostFn>, Parameters<PostFn>>;

function okPost(): FakePost {
  return jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 200, text: 'ok' });
}

const NOW = new Date('2026-11-20T10:05:00.000Z');

function deps(post: FakePost = okPost(), secretId = SECRET_ARN, cache?: WebhookCache): SlackDeps & { logger: ReturnType<typeof fakeLogger>; post: FakePost } {
  return { secrets: new SecretsManagerClient({}), post, logger: fakeLogger(), config: { secretId }, now: () => NOW, sleep: async () => undefined, ...(cache ? { cache } : {}) };
}

function secretHolds(value: string): void {
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ ARN: SECRET_ARN, Name: 'exposed-key-responder/slack', SecretString: value });
}

function secretsError(name: string, message: string, httpStatusCode = 400): SecretsManagerServiceException {
  return new SecretsManagerServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode } });
}

/** Everything the step logged, at every level, and what it returned: where a webhook URL must never be. */
function everythingSaid(d: ReturnType<typeof deps>, result: unknown): string {
  const { debug, info, warn, error } = d.logger;
  return JSON.stringify([debug.mock.calls, info.mock.calls, warn.mock.calls, error.mock.calls, result]);
}

function expectNoWebhookIn(text: string): void {
  for (const secret of [WEBHOOK_TOKEN, ROTATED_TOKEN, 'B00000000', 'B11111111', '/services/T']) expect(text).not.toContain(secret);
}

beforeEach(() => {
  secrets.reset();
});

describe('notifySlack: sending', () => {
  it('posts the Block Kit message as JSON to the webhook URL held by the secret', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'sent' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
    expect(d.post).toHaveBeenCalledTimes(1);
    const [url, body] = d.post.mock.calls[0];
    expect(url).toBe(WEBHOOK_URL);
    expect(JSON.parse(body)).toEqual(slackMessage(buildReport(fullInput(), NOW)));
    expect(JSON.parse(body).text).toContain(`[CONTAINED] Exposed access key ${KEY_ID}`);
    expect(body).toContain(REPORT_URL);
  });

  it('reads the URL from a JSON secret {"url": ...}', async () => {
    secretHolds(JSON.stringify({ url: WEBHOOK_URL, channel: '#security' }));
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'sent' });
    expect(d.post.mock.calls[0][0]).toBe(WEBHOOK_URL);
  });

  it('accepts a GovSlack webhook and a value with surrounding white space', async () => {
    const gov = 'https://hooks.slack-gov.com/services/T0/B0/X0';
    secretHolds(`  ${gov}\n`);
    const d = deps();

    await expect(notifySlack(fullInput(), d)).resolves.toEqual({ status: 'sent' });
    expect(d.post.mock.calls[0][0]).toBe(gov);
  });

  it('logs the host, never the URL, at any level', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(d.logger.info).toHaveBeenCalledWith('Slack notification sent', { host: 'hooks.slack.com', status: 200 });
    expect(d.logger.debug).toHaveBeenCalledWith('Slack webhook read from Secrets Manager', { secretId: SECRET_ARN, host: 'hooks.slack.com' });
    expectNoWebhookIn(everythingSaid(d, result));
  });

  it('reads the secret once for the life of the Lambda (the cache the handler keeps)', async () => {
    secretHolds(WEBHOOK_URL);
    const cache: WebhookCache = {};
    const d = deps(okPost(), SECRET_ARN, cache);

    await notifySlack(fullInput(), d);
    await notifySlack(fullInput(), d);
    await notifySlack(fullInput(), d);

    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(d.post).toHaveBeenCalledTimes(3);
  });
});

describe('notifySlack: not configured', () => {
  it('returns not-configured and calls nothing when the secret id is empty', async () => {
    const d = deps(okPost(), '');

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'not-configured' });
    expect(secrets).not.toHaveReceivedAnyCommand();
    expect(d.post).not.toHaveBeenCalled();
  });
});

describe('notifySlack: Slack failures never fail the incident', () => {
  it('returns failed, and warns, when the webhook answers 500 on every one of its 3 posts', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 500, text: 'internal_error' }));

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'failed', error: 'Slack answered 500 internal_error (3 attempts)' });
    expect(d.logger.warn).toHaveBeenCalledWith('Slack notification failed: the incident response goes on', { error: 'Slack answered 500 internal_error (3 attempts)' });
    expect(d.post).toHaveBeenCalledTimes(3);
    expectNoWebhookIn(everythingSaid(d, result));
  });

  it('returns failed on a 400 (Slack refused the payload) without reading the secret again', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 400, text: 'invalid_blocks' }));

    await expect(notifySlack(fullInput(), d)).resolves.toEqual({ status: 'failed', error: 'Slack answered 400 invalid_blocks' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('returns failed when the webhook does not answer in time, after 3 posts', async () => {
    secretHolds(WEBHOOK_URL);
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockRejectedValue(timeout));

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'failed', error: 'Slack (hooks.slack.com) did not answer within 5 s (3 attempts)' });
    expect(d.logger.warn).toHaveBeenCalled();
  });

  it('returns failed on a network error (after 3 posts), with any URL in its message cut to the host', async () => {
    secretHolds(WEBHOOK_URL);
    const refused = Object.assign(new TypeError(`fetch failed for ${WEBHOOK_URL}`), {
      cause: Object.assign(new Error(`connect ECONNREFUSED hooks.slack.com/services/${WEBHOOK_TOKEN}`), { code: 'ECONNREFUSED' }),
    });
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockRejectedValue(refused));

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'failed', error: 'cannot post to hooks.slack.com: fetch failed for https://hooks.slack.com/…: ECONNREFUSED (3 attempts)' });
    expectNoWebhookIn(everythingSaid(d, result));
  });

  it('returns failed, and posts nothing, when the secret cannot be read (AccessDenied)', async () => {
    secrets.on(GetSecretValueCommand).rejects(secretsError('AccessDeniedException', `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET_ARN}`, 403));
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({
      status: 'failed',
      error: `cannot read the webhook secret ${SECRET_ARN}: AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET_ARN}`,
    });
    expect(d.post).not.toHaveBeenCalled();
    expect(d.logger.warn).toHaveBeenCalled();
  });

  it('returns failed when the secret does not exist', async () => {
    secrets.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(result.status).toBe('failed');
    expect(result.error).toContain('ResourceNotFoundException');
    expect(d.post).not.toHaveBeenCalled();
  });

  it('returns failed when the secret has no string value', async () => {
    secrets.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretBinary: new Uint8Array([1, 2]) });
    const d = deps();

    await expect(notifySlack(fullInput(), d)).resolves.toEqual({ status: 'failed', error: `the webhook secret ${SECRET_ARN} has no SecretString` });
    expect(d.post).not.toHaveBeenCalled();
  });

  it('does not cache a URL it could not read: the next invocation tries again', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(secretsError('InternalServiceError', 'oops', 500)).resolves({ SecretString: WEBHOOK_URL });
    const d = deps(okPost(), SECRET_ARN, {});

    await expect(notifySlack(fullInput(), d)).resolves.toMatchObject({ status: 'failed' });
    await expect(notifySlack(fullInput(), d)).resolves.toEqual({ status: 'sent' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });
});

describe('notifySlack: a rotated webhook', () => {
  it.each([403, 404])('reads the secret again once on %d and posts to the new URL', async (status) => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: WEBHOOK_URL }).resolves({ SecretString: JSON.stringify({ url: ROTATED_URL }) });
    const post = jest.fn<ReturnType<PostFn>, Parameters<PostFn>>(async (url) =>
      url === ROTATED_URL ? { status: 200, text: 'ok' } : { status, text: status === 403 ? 'invalid_token' : 'no_service' },
    );
    const cache: WebhookCache = {};
    const d = deps(post, SECRET_ARN, cache);
    await notifySlack(fullInput(), { ...d, post: okPost() }); // a warm Lambda: the old URL is cached

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'sent' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(post.mock.calls.map(([url]) => url)).toEqual([WEBHOOK_URL, ROTATED_URL]);
    expect(cache.url).toBe(ROTATED_URL);
    expectNoWebhookIn(everythingSaid(d, result));
  });

  it('reads again only once: a refused new URL is a failure, not a loop', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: WEBHOOK_URL }).resolves({ SecretString: ROTATED_URL });
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 403, text: 'invalid_token' }));

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'failed', error: 'Slack answered 403 invalid_token' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(d.post).toHaveBeenCalledTimes(2);
  });

  it('does not post the same refused URL twice when the secret still holds it', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps(jest.fn<ReturnType<PostFn>, Parameters<PostFn>>().mockResolvedValue({ status: 404, text: 'no_service' }));

    const result = await notifySlack(fullInput(), d);

    expect(result).toEqual({ status: 'failed', error: 'Slack answered 404 no_service: the webhook is no longer valid and the secret holds no other' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(d.post).toHaveBeenCalledTimes(1);
  });
});

describe('notifySlack: only Slack webhooks', () => {
  it.each([
    ['another host', 'https://example.com/services/T0/B0/X0', 'refused to post to https://example.com'],
    ['plain http', 'http://hooks.slack.com/services/T0/B0/X0', 'refused to post to http://hooks.slack.com'],
    ['a look-alike host', 'https://hooks.slack.com.attacker.example/services/T0/B0/X0', 'refused to post to https://hooks.slack.com.attacker.example'],
    ['credentials in the URL', 'https://user:pw@hooks.slack.com/services/T0/B0/X0', 'refused to post to https://hooks.slack.com'],
    ['another port', 'https://hooks.slack.com:8443/services/T0/B0/X0', 'refused to post to https://hooks.slack.com:8443'],
    ['no webhook path', 'https://hooks.slack.com/', 'without a webhook path'],
    ['not a URL', 'xoxb-not-a-webhook-token', 'does not hold a URL'],
    ['JSON without url', JSON.stringify({ webhook: WEBHOOK_URL }), 'JSON without a "url" string'],
    ['broken JSON', `{"url": "${WEBHOOK_URL}"`, 'neither a URL nor valid JSON'],
  ])('refuses %s and sends nothing', async (_what, value, reason) => {
    secretHolds(value);
    const d = deps();

    const result = await notifySlack(fullInput(), d);

    expect(result.status).toBe('failed');
    expect(result.error).toContain(reason);
    expect(d.post).not.toHaveBeenCalled();
    const said = everythingSaid(d, result);
    expect(said).not.toContain('/services/T0');
    expect(said).not.toContain('xoxb-not-a-webhook-token');
    expectNoWebhookIn(said);
  });

  it('names what is allowed in the error', () => {
    expect(() => checkWebhookUrl('https://example.com/x')).toThrow(
      'refused to post to https://example.com: the webhook must be a Slack incoming webhook (https://hooks.slack.com/ or https://hooks.slack-gov.com/); nothing was sent',
    );
    expect(parseWebhookSecret(JSON.stringify({ url: WEBHOOK_URL }))).toBe(WEBHOOK_URL);
  });
});

describe('notifySlack: input', () => {
  it('throws InvalidIncidentError on an incident that does not fit, and calls nothing', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps();

    const result = notifySlack({ incident: { ...anIncident(), accountId: 'nope' } }, d);

    await expect(result).rejects.toBeInstanceOf(InvalidIncidentError);
    await expect(result).rejects.toThrow(/^slack: input does not fit: incident\.accountId: /);
    expect(secrets).not.toHaveReceivedAnyCommand();
    expect(d.post).not.toHaveBeenCalled();
  });

  it('throws on a bad incident even when Slack is not configured (the contract is the same)', async () => {
    await expect(notifySlack({}, deps(okPost(), ''))).rejects.toBeInstanceOf(InvalidIncidentError);
  });

  it('sends what it can from step results of unexpected shapes', async () => {
    secretHolds(WEBHOOK_URL);
    const d = deps();

    const result = await notifySlack({ incident: anIncident(), containment: 'x', investigation: { failures: 7 }, report: null, extra: true }, d);

    expect(result).toEqual({ status: 'sent' });
  });
});

describe('scrub', () => {
  it('cuts every URL to its origin', () => {
    expect(scrub(`POST ${WEBHOOK_URL} failed; see https://status.slack.com/x?y=1`)).toBe(
      'POST https://hooks.slack.com/… failed; see https://status.slack.com/…',
    );
    expect(scrub(`host hooks.slack.com/services/${WEBHOOK_TOKEN} unreachable`)).toBe('host hooks.slack.com/… unreachable');
  });
});

describe('createFetchPost (the default post)', () => {
  let server: http.Server;
  let base: string;
  const received: Array<{ method?: string; url?: string; contentType?: string; body: string }> = [];
  let respond: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
        respond(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('POSTs the JSON body and returns status and text', async () => {
    respond = (_req, res) => res.writeHead(200).end('ok');

    const answer = await createFetchPost(1000)(`${base}/services/T/B/X`, '{"text":"hi"}');

    expect(answer).toEqual({ status: 200, text: 'ok' });
    expect(received).toEqual([{ method: 'POST', url: '/services/T/B/X', contentType: 'application/json; charset=utf-8', body: '{"text":"hi"}' }]);
  });

  it('gives up with a TimeoutError when the webhook does not answer', async () => {
    respond = () => undefined; // never answers

    await expect(createFetchPost(100)(`${base}/slow`, '{}')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('does not follow a redirect: the body goes to the URL checked, or nowhere', async () => {
    respond = (_req, res) => res.writeHead(307, { location: `${base}/elsewhere` }).end();

    await expect(createFetchPost(1000)(`${base}/redirect`, '{}')).rejects.toThrow();
    expect(received.map((r) => r.url)).toEqual(['/redirect']);
  });
});
