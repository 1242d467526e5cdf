import { Annotations, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Grant, IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge, wildcardActionFinding } from './nag';

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

/** The service principal CloudWatch alarm actions publish to SNS as. */
export const CLOUDWATCH_SERVICE_PRINCIPAL = 'cloudwatch.amazonaws.com';

/**
 * The SNS topic that tells people about each incident: encrypted with a customer-managed KMS key
 * (rotated yearly), reachable over TLS only, with email subscriptions.
 *
 * CloudWatch alarms of this account and region may always publish to it (the responder's failure
 * alarms do: `FailureAlarms`): the topic policy allows `cloudwatch.amazonaws.com` sns:Publish, and
 * the key policy allows it kms:Decrypt and kms:GenerateDataKey*, both only for alarms of this
 * account (aws:SourceAccount; the topic policy also aws:SourceArn: an alarm of this region).
 * Without them an alarm action fails, visible only in the alarm's history: the topic policy
 * (TLS only) replaces SNS's default one, and the key policy grants no service by default. Always,
 * not a prop: an alarm pointed at this topic without them delivers nothing, silently, and they
 * let CloudWatch do nothing but publish this account's alarms here.
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
    const stack = Stack.of(this);
    const cloudWatch = new ServicePrincipal(CLOUDWATCH_SERVICE_PRINCIPAL);
    const thisAccount = { 'aws:SourceAccount': stack.account };
    this.topic.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: thisAccount,
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    this.key.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchAlarmsUseKey',
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: thisAccount },
    }));

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

  /**
   * Lets `grantee` publish to the topic (`topic.grantPublish`: sns:Publish on the topic, and
   * kms:Decrypt and kms:GenerateDataKey* on the topic's own key), and acknowledges the
   * `kms:GenerateDataKey*` wildcard on the grantee's role.
   */
  public grantPublish(grantee: IGrantable): Grant {
    const grant = this.topic.grantPublish(grantee);
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) {
      acknowledge(
        principal,
        wildcardActionFinding('kms:GenerateDataKey*'),
        'Granted by topic.grantPublish on the topic\'s own KMS key only: publishing to an encrypted topic needs kms:GenerateDataKey (the wildcard covers GenerateDataKeyWithoutPlaintext) on that key.',
      );
    }
    return grant;
  }
}
