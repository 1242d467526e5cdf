import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { buildReport, recordTime } from '../report/record';
import { rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { WorkflowState } from '../shared/state';
import { buildMessage, Message } from './message';

export interface NotifyConfig {
  readonly topicArn: string;
}

export interface NotifyDeps {
  readonly sns: SNSClient;
  readonly logger: Log;
  readonly config: NotifyConfig;
  readonly now?: () => Date;
}

export interface Notification extends Message {
  readonly channel: 'email';
  readonly messageId?: string;
}

/**
 * Publishes the incident to the notification topic (email subscribers): the record rebuilt from
 * the state with the same pure buildReport the report step wrote (plus whether writing it worked),
 * rendered.
 */
export async function notify(state: WorkflowState, deps: NotifyDeps): Promise<Notification> {
  const report = buildReport(state, recordTime(state, (deps.now ?? (() => new Date()))()));
  const message = buildMessage(report);
  try {
    const out = await deps.sns.send(new PublishCommand({ TopicArn: deps.config.topicArn, Subject: message.subject, Message: message.body }));
    deps.logger.info('notification sent', { outcome: report.outcome, failures: report.failures.length, messageId: out.MessageId });
    return { channel: 'email', ...message, messageId: out.MessageId };
  } catch (err) {
    return rethrowAws(err, 'SNS Publish');
  }
}
