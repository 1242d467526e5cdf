import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  /**
   * Email addresses subscribed to the topic. Each address receives a confirmation email from
   * SNS and gets nothing until it confirms.
   * @default - none: the topic has no subscription (nobody is told) and a warning is added
   */
  readonly emails?: readonly string[];
  /**
   * What happens to the KMS key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** The id of the warning added when the topic has no subscriber (acknowledge it to silence it). */
export const NO_SUBSCRIBER_WARNING = 'exposed-key-responder:NoNotificationEmail';

/**
 * The SNS topic that tells people about each incident: encrypted with a customer-managed KMS key
 * (rotated yearly), reachable over TLS only, with email subscriptions.
 */
export class NotificationTopic extends Construct {
  public readonly topic: Topic;
  /** The customer-managed key the topic is encrypted with (publishers need kms:GenerateDataKey*). */
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'exposed-key-responder: encrypts the incident notification topic',
      enableKeyRotation: true,
      removalPolicy: props.keyRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Exposed access key responder',
      masterKey: this.key,
      enforceSSL: true,
    });
    const emails = props.emails ?? [];
    for (const email of emails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    if (emails.length === 0) {
      Annotations.of(this).addWarningV2(
        NO_SUBSCRIBER_WARNING,
        'The notification topic has no subscriber: nobody will be told about an incident. Deploy with -c notificationEmail=you@example.com (comma-separated for several).',
      );
    }
  }
}
