import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { notifySlack, PostFn, retryAfterMs, SlackDeps } from '../../../lambdas/slack/slack';
import { fakeLogger } from '../helpers';
import { fullInput, SECRET_ARN, WEBHOOK_URL } from './fixtures';

const secrets = mockClient(SecretsManagerClient);

type Answer = Awaited<ReturnType<PostFn>>;
/** One scripted post: how long it takes (simulated ms), then its answer or the error it throws. */
type Step = { takesMs?: number; answer?: Answer; throws?: Error };

/**
 * A simulated clock: each post takes its step's time, each wait moves the clock by what it waits.
 * Records when each post started and every wait, in ms since the message was built.
 */
function scripted(steps: Step[]) {
  const start = Date.parse('2026-11-20T10:05:00.000Z');
  let now = start;
  const postsAt: number[] = [];
  const waits: number[] = [];
  const post = jest.fn<ReturnType<PostFn>, Parameters<PostFn>>(async () => {
    const step = steps[Math.min(postsAt.length, steps.length - 1)];
    postsAt.push(now - start);
    now += step.takesMs ?? 100;
    if (step.throws) throw step.throws;
    return step.answer!;
  });
  const deps: SlackDeps = {
    secrets: new SecretsManagerClient({}),
    post,
    logger: fakeLogger(),
    config: { secretId: SECRET_ARN },
    now: () => new Date(now),
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
  return { deps, post, postsAt, waits };
}

const ok: Step = { answer: { status: 200, text: 'ok' } };
const timeout = (): Step => ({ takesMs: 5000, throws: new DOMException('The operation was aborted due to timeout', 'TimeoutError') });

beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK_URL });
});

describe('Slack post retries', () => {
  it('posts again after 0.5 s then 1 s on 503s, and records the message as sent when the third post gets through', async () => {
    const { deps, post, waits } = scripted([{ answer: { status: 503, text: 'service_unavailable' } }, { answer: { status: 502, text: 'bad gateway' } }, ok]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'sent' });
    expect(post).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([500, 1000]);
  });

  it('waits what a 429 Retry-After asks when it is short, then posts again', async () => {
    const { deps, post, waits } = scripted([{ answer: { status: 429, text: 'rate_limited', retryAfter: '2' } }, ok]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'sent' });
    expect(post).toHaveBeenCalledTimes(2);
    expect(waits).toEqual([2000]);
  });

  it('does not wait for a long Retry-After: one post, recorded as failed with the reason', async () => {
    const { deps, post, waits } = scripted([{ answer: { status: 429, text: 'rate_limited', retryAfter: '30' } }]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'failed', error: 'Slack answered 429 rate_limited (asked to wait 30 s, longer than the 3 s waited for)' });
    expect(post).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });

  it('gives up after 3 posts on a webhook that keeps answering 500, and says so', async () => {
    const { deps, post, waits } = scripted([{ answer: { status: 500, text: 'internal_error' } }]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'failed', error: 'Slack answered 500 internal_error (3 attempts)' });
    expect(post).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([500, 1000]);
  });

  it('stops posting when another wait and a whole 5 s post would not fit in the 12 s budget (the Lambda times out at 15 s)', async () => {
    const { deps, post, postsAt, waits } = scripted([timeout()]);

    const result = await notifySlack(fullInput(), deps);

    // Post 1 at 0 s (times out at 5 s), wait 0.5 s, post 2 at 5.5 s (times out at 10.5 s): 1 s + 5 s more would end at 16.5 s.
    expect(postsAt).toEqual([0, 5500]);
    expect(waits).toEqual([500]);
    expect(post).toHaveBeenCalledTimes(2);
    expect(result).toEqual({
      status: 'failed',
      error: 'Slack (hooks.slack.com) did not answer within 5 s (2 attempts; no time left for another post within the 12 s budget)',
    });
  });

  it('posts again after a network error', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    const { deps, post, waits } = scripted([{ throws: reset }, ok]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'sent' });
    expect(post).toHaveBeenCalledTimes(2);
    expect(waits).toEqual([500]);
  });

  it.each([400, 410, 413])('does not post again on a %d (a request Slack will never take)', async (status) => {
    const { deps, post, waits } = scripted([{ answer: { status, text: 'invalid_payload' } }]);

    const result = await notifySlack(fullInput(), deps);

    expect(result).toEqual({ status: 'failed', error: `Slack answered ${status} invalid_payload` });
    expect(post).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-20T10:05:00.000Z');

  it.each([
    ['2', 2000],
    [' 0 ', 0],
    ['Fri, 20 Nov 2026 10:05:03 GMT', 3000],
    ['Fri, 20 Nov 2026 10:04:00 GMT', 0],
  ])('reads %j as %d ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });

  it.each([undefined, '', 'soon', '-1'])('has no wait for %j', (header) => {
    expect(retryAfterMs(header, now)).toBeUndefined();
  });
});
