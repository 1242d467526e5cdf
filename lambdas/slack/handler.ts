import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { presentEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { PostFn, SlackResult } from './contract';
import { isSnsEvent, noticeMessage, parseNoticeEvent, SlackNoticeNotPostedError } from './notice';
import { fetchPost, notifySlack, postSlackMessage, SlackDeps, WebhookCache } from './slack';

/** What the drill and the tests may replace: the HTTP post (the drill's never leaves the machine) and the wait between posts. */
export interface SlackHandlerOptions {
  readonly post?: PostFn;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads the configuration and builds the client once; the webhook URL is read on the first
 * invocation and kept for the Lambda's life (read again once when Slack refuses it).
 * SLACK_WEBHOOK_SECRET must be set; an empty value means Slack is not configured.
 *
 * Two inputs: the workflow state (the incident's summary; a Slack failure is returned, never
 * thrown: the workflow goes on) and the SNS event of the notification topic's subscription (the
 * dispatcher's notices; a Slack failure is thrown, so the delivery is retried).
 */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  options: SlackHandlerOptions = {},
): (event: unknown) => Promise<SlackResult> {
  const secretId = presentEnv('SLACK_WEBHOOK_SECRET', 'empty when Slack is not configured', env);
  const config = { secretId: secretId.trim() };
  const logger = createLogger('slack');
  // The secret read's only retries (the SDK's standard 3, within SECRET_TIMEOUT_MS): lambdas/shared/retry.ts.
  const secrets = new SecretsManagerClient({ maxAttempts: 3 });
  const post = options.post ?? fetchPost;
  const cache: WebhookCache = {};
  const sleep = options.sleep;
  return async (event) => {
    if (isSnsEvent(event)) return postNotices(event, { secrets, post, sleep, config, cache, logger });
    const input = parseWorkflowState(event, 'slack');
    return notifySlack(input, { secrets, post, sleep, config, cache, logger: forIncident(logger, input.incident.incidentId) });
  };
}

/** Posts each notice of an SNS event; the first that Slack did not take is thrown. */
async function postNotices(event: unknown, deps: SlackDeps): Promise<SlackResult> {
  let result: SlackResult = { status: 'sent' };
  for (const notice of parseNoticeEvent(event)) {
    result = await postSlackMessage(() => noticeMessage(notice), deps);
    if (result.status === 'failed') {
      throw new SlackNoticeNotPostedError(`notice ${notice.messageId} "${notice.subject}" not posted to Slack: ${result.error ?? 'unknown'}`);
    }
  }
  return result;
}
