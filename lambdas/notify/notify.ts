import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { NotifyInput } from '../shared/steps';
import { buildMessage, Message } from './message';

export interface NotifyConfig {
  readonly topicArn: string;
}

export interface NotifyDeps {
  readonly sns: SNSClient;
  readonly logger: Log;
  readonly config: NotifyConfig;
}

export interface Notification extends Message {
  readonly channel: 'email';
  readonly messageId?: string;
}

/** Publishes the incident summary to the notification topic (email subscribers). */
export async function notify(input: NotifyInput, deps: NotifyDeps): Promise<Notification> {
  const message = buildMessage(input);
  try {
    const out = await deps.sns.send(
      new PublishCommand({ TopicArn: deps.config.topicArn, Subject: message.subject, Message: message.body }),
    );
    deps.logger.info('notification sent', { failure: input.failure?.step, subject: message.subject, messageId: out.MessageId });
    return { channel: 'email', ...message, messageId: out.MessageId };
  } catch (err) {
    return rethrowAws(err, 'SNS Publish');
  }
}
