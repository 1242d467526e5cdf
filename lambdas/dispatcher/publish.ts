// Sends a notice to people: the notification topic, marked as a notice so the Slack Lambda's
// subscription (filtered on that mark) receives it too.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { rethrowAws } from '../shared/errors';
import { Notice, NOTICE_KIND, NOTICE_KIND_ATTRIBUTE } from './notice';

export interface PublishDeps {
  readonly sns: SNSClient;
  readonly topicArn: string;
}

/**
 * Publishes the notice to the topic with {@link NOTICE_KIND_ATTRIBUTE}; SNS then delivers it to
 * the email subscribers and, where Slack is configured, to the slack Lambda. A failure (after the
 * SDK's own retries) is thrown, so the invocation fails and EventBridge's retries, then the
 * dead-letter queue, keep the event: a notice is never lost in silence. Answers the message id.
 */
export async function publishNotice(notice: Notice, deps: PublishDeps): Promise<string | undefined> {
  try {
    const out = await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: notice.subject,
        Message: notice.text,
        MessageAttributes: { [NOTICE_KIND_ATTRIBUTE]: { DataType: 'String', StringValue: NOTICE_KIND } },
      }),
    );
    return out.MessageId;
  } catch (err) {
    return rethrowAws(err, `SNS Publish "${notice.subject}"`);
  }
}
