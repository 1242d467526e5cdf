import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsErrorCode } from '../shared/errors';
import { Log } from '../shared/logger';
import { buildReport, recordTime } from '../report/record';
import { parseWorkflowState } from '../shared/state';
import { slackMessage } from './blocks';
import { PostFn, SlackInput, SlackInputSchema, SlackResult } from './contract';
import { hostOf, postWithRetries, scrub, short, SlackFailure } from './post';

export { SlackInputSchema };
export type { PostFn, SlackInput, SlackResult };
export { createFetchPost, fetchPost, MAX_RETRY_AFTER_MS, POST_ATTEMPTS, POST_BACKOFF_MS, POST_TIMEOUT_MS, retryAfterMs, scrub } from './post';

/** The only hosts an incident is ever posted to: Slack's incoming webhooks (commercial and GovSlack). */
export const SLACK_WEBHOOK_HOSTS: readonly string[] = ['hooks.slack.com', 'hooks.slack-gov.com'];
/** How long Secrets Manager may take (the SDK's own retries included). */
export const SECRET_TIMEOUT_MS = 5000;
/**
 * The time one Slack message may take, secret read and retries included: the slack Lambda's
 * timeout (15 s, lib/exposed-key-responder-stack.ts) less 3 s to start, render and log. A retry is
 * started only when its wait and a whole post (POST_TIMEOUT_MS) still fit, so the Lambda
 * never times out mid-retry (test/lib/step-timeouts.test.ts checks the timeout against this).
 */
export const SLACK_BUDGET_MS = 12_000;

export interface SlackConfig {
  /** ARN or name of the secret holding the webhook URL; empty: Slack is not configured. */
  readonly secretId: string;
}

/** The webhook URL, kept for the Lambda's life (one GetSecretValue a cold start). */
export interface WebhookCache {
  url?: string;
}

export interface SlackDeps {
  readonly secrets: SecretsManagerClient;
  readonly post: PostFn;
  readonly logger: Log;
  readonly config: SlackConfig;
  /** Shared across invocations by the handler; without it the secret is read on every call. */
  readonly cache?: WebhookCache;
  /** The clock: the record's time, and the time budget of the retries. */
  readonly now?: () => Date;
  /** The wait between posts; the drill's runs at drill speed, tests' at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Posts the incident record, rendered, to the Slack webhook whose URL is in Secrets Manager. Slack is a
 * second channel: any failure (secret unreadable, URL not Slack's, timeout, non-2xx) is returned as
 * `{ status: 'failed', error }` and logged as a warning, never thrown. The only throw is input that
 * does not fit ({@link InvalidIncidentError}), checked before anything else.
 *
 * The URL is a credential: it is never logged (its host is), never returned, and scrubbed from
 * every error message.
 */
export async function notifySlack(input: unknown, deps: SlackDeps): Promise<SlackResult> {
  const state: SlackInput = parseWorkflowState(input, 'slack');
  // The record, rebuilt from the state with the same pure buildReport the report step writes.
  return postSlackMessage(() => slackMessage(buildReport(state, recordTime(state, (deps.now ?? (() => new Date()))()))), deps);
}

/**
 * Posts one message (built by `build`, inside the failure handling) to the webhook: the same
 * handling for the workflow's summary and the dispatcher's notices (lambdas/slack/notice.ts).
 */
export async function postSlackMessage(build: () => unknown, deps: SlackDeps): Promise<SlackResult> {
  const { logger, config } = deps;
  if (config.secretId === '') {
    logger.info('Slack is not configured (SLACK_WEBHOOK_SECRET is empty): nothing sent');
    return { status: 'not-configured' };
  }
  const clock = () => (deps.now ?? (() => new Date()))().getTime();
  const deadline = clock() + SLACK_BUDGET_MS;
  const budget = { remainingMs: () => deadline - clock(), totalMs: SLACK_BUDGET_MS };
  try {
    const body = JSON.stringify(build());
    const first = await webhookUrl(deps);
    let url = first.url;
    let answer = await postWithRetries(deps, url, body, budget);
    if (answer.status === 403 || answer.status === 404) {
      // Slack answers 403 invalid_token / 404 no_service for a revoked webhook: the secret may hold
      // a new one (rotation). Read it once more; post again only if it changed.
      logger.warn('Slack refused the webhook: reading the secret again', { status: answer.status, cached: first.cached });
      const previous = url;
      url = await readWebhook(deps);
      if (url === previous) {
        throw new SlackFailure(`Slack answered ${answer.status} ${short(scrub(answer.text))}: the webhook is no longer valid and the secret holds no other`);
      }
      answer = await postWithRetries(deps, url, body, budget);
    }
    if (answer.status < 200 || answer.status > 299) {
      const tries = answer.attempts ? ` (${answer.attempts} attempts${answer.gaveUp ? `; ${answer.gaveUp}` : ''})` : answer.gaveUp ? ` (${answer.gaveUp})` : '';
      throw new SlackFailure(`Slack answered ${answer.status} ${short(scrub(answer.text))}${tries}`);
    }
    logger.info('Slack notification sent', { host: hostOf(url), status: answer.status });
    return { status: 'sent' };
  } catch (err) {
    const error = err instanceof SlackFailure ? err.message : `unexpected: ${scrub(String((err as Error)?.message ?? err))}`;
    logger.warn('Slack notification failed: the incident response goes on', { error });
    return { status: 'failed', error };
  }
}

/** The webhook URL: the cached one, else read from the secret (and cached). */
async function webhookUrl(deps: SlackDeps): Promise<{ url: string; cached: boolean }> {
  if (deps.cache?.url) return { url: deps.cache.url, cached: true };
  return { url: await readWebhook(deps), cached: false };
}

async function readWebhook(deps: SlackDeps): Promise<string> {
  const { secretId } = deps.config;
  let value: string | undefined;
  try {
    const out = await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId }), {
      abortSignal: AbortSignal.timeout(SECRET_TIMEOUT_MS),
    });
    value = out.SecretString;
  } catch (err) {
    const code = awsErrorCode(err) ?? 'Error';
    throw new SlackFailure(`cannot read the webhook secret ${secretId}: ${code}: ${short(scrub((err as Error)?.message ?? ''))}`);
  }
  if (!value) throw new SlackFailure(`the webhook secret ${secretId} has no SecretString`);
  const url = parseWebhookSecret(value);
  if (deps.cache) deps.cache.url = url;
  deps.logger.debug('Slack webhook read from Secrets Manager', { secretId, host: hostOf(url) });
  return url;
}

/**
 * The webhook URL from the secret's value: the URL itself or `{"url": "..."}`. Only Slack's webhook
 * hosts over https are accepted: a misconfigured secret must not send incident details elsewhere.
 * Errors never quote the value (JSON.parse's own message would).
 */
export function parseWebhookSecret(value: string): string {
  const trimmed = value.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith('{')) {
    try {
      candidate = (JSON.parse(trimmed) as { url?: unknown } | null)?.url;
    } catch {
      throw new SlackFailure('the webhook secret is neither a URL nor valid JSON {"url": "https://hooks.slack.com/..."}');
    }
    if (typeof candidate !== 'string') throw new SlackFailure('the webhook secret is JSON without a "url" string');
  }
  return checkWebhookUrl(String(candidate).trim());
}

/** The URL when it is a Slack incoming webhook, else a {@link SlackFailure} naming the host at most. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SlackFailure('the webhook secret does not hold a URL: nothing was sent');
  }
  const allowed = SLACK_WEBHOOK_HOSTS.map((h) => `https://${h}/`).join(' or ');
  if (url.protocol !== 'https:' || !SLACK_WEBHOOK_HOSTS.includes(url.hostname) || url.port !== '' || url.username || url.password) {
    throw new SlackFailure(`refused to post to ${url.protocol}//${url.host}: the webhook must be a Slack incoming webhook (${allowed}); nothing was sent`);
  }
  if (url.pathname === '/' || url.pathname === '') throw new SlackFailure(`the webhook secret holds ${allowed} without a webhook path: nothing was sent`);
  return url.toString();
}

