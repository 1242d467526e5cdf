import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * An SQS dead-letter queue as the responder keeps them: SSE-SQS (EventBridge and Lambda can write
 * to it without a key policy; they cannot use alias/aws/sqs), TLS only, kept on stack deletion, its
 * messages for `retention`. `of` says whose dead-letter queue it is, in the acknowledgement of
 * cdk-nag's AwsSolutions-SQS3 (a dead-letter queue needs none of its own).
 */
export function deadLetterQueue(scope: Construct, id: string, props: { readonly of: string; readonly retention?: Duration }): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: props.retention ?? Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(queue, 'AwsSolutions-SQS3', `This queue is the dead-letter queue of ${props.of}; a dead-letter queue needs no dead-letter queue of its own.`);
  return queue;
}
