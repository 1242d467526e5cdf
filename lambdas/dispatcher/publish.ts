// Sends a notice to people: the notification topic (email), and the Slack Lambda when there is one.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describeError, rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { Notice } from './notice';
import { InvokeAsync } from './signed-calls';

export interface PublishDeps {
  readonly sns: SNSClient;
  /** Invokes a Lambda asynchronously (InvocationType Event). */
  readonly invokeAsync: InvokeAsync;
  readonly logger: Log;
  readonly topicArn: string;
  /** The Slack Lambda; empty: no Slack. */
  readonly slackFunctionName: string;
}

export interface PublishOutcome {
  readonly messageId?: string;
  readonly slack: 'sent' | 'failed' | 'not-configured';
}

/**
 * Publishes the notice to the topic; a failure (after the SDK's own retries) is thrown, so the
 * invocation fails and EventBridge's retries, then the dead-letter queue, keep the event: a notice
 * is never lost in silence. Slack is a second channel: the Slack Lambda is invoked asynchronously
 * (`{notice}`); a failure to hand it over is logged as an error and returned, and the email stands.
 */
export async function publishNotice(notice: Notice, deps: PublishDeps): Promise<PublishOutcome> {
  let messageId: string | undefined;
  try {
    const out = await deps.sns.send(new PublishCommand({ TopicArn: deps.topicArn, Subject: notice.subject, Message: notice.text }));
    messageId = out.MessageId;
  } catch (err) {
    rethrowAws(err, `SNS Publish "${notice.subject}"`);
  }
  if (!deps.slackFunctionName) return { messageId, slack: 'not-configured' };
  try {
    await deps.invokeAsync(deps.slackFunctionName, JSON.stringify({ notice: { subject: notice.subject, text: notice.text } }));
    return { messageId, slack: 'sent' };
  } catch (err) {
    deps.logger.error('notice not handed to the Slack Lambda: the email was sent', { subject: notice.subject, error: describeError(err) });
    return { messageId, slack: 'failed' };
  }
}
