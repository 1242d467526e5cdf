// The notification topic's subscription of the slack Lambda, as SNS runs it: the filter policy
// on the notice attribute (lib/exposed-key-responder-stack.ts), the SNS event Lambda receives,
// and Lambda's retries of an asynchronous invocation that fails.
import { NOTICE_KIND, NOTICE_KIND_ATTRIBUTE } from '../lambdas/dispatcher/notice';
import { PublishedMessage } from './simulated-account';

/** Lambda runs a failing asynchronous invocation (SNS invokes that way) this many times in all. */
export const ASYNC_INVOKE_ATTEMPTS = 3;

/** Whether the subscription's filter policy lets a message through: the notice attribute, as a String. */
export function passesNoticeFilter(message: PublishedMessage): boolean {
  const attribute = message.attributes?.[NOTICE_KIND_ATTRIBUTE];
  return attribute?.DataType === 'String' && attribute.StringValue === NOTICE_KIND;
}

/** The event Lambda receives from an SNS subscription, for one published message. */
export function snsEventOf(message: PublishedMessage, messageId: string, subscriptionArn: string): { Records: unknown[] } {
  const attributes = Object.fromEntries(Object.entries(message.attributes ?? {}).map(([name, a]) => [name, { Type: a.DataType, Value: a.StringValue ?? '' }]));
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: message.topicArn,
          Subject: message.subject ?? null,
          Message: message.message,
          Timestamp: new Date().toISOString(),
          MessageAttributes: attributes,
        },
      },
    ],
  };
}
