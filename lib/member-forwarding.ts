import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, EventPattern, IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';

/**
 * The fixed name of the alarm on a member account's forwarding dead-letter queue (one per region
 * of the member stack): the central bus's rule matches its state changes by this name.
 */
export const MEMBER_FORWARDING_ALARM_NAME = 'exposed-key-responder-forwarding-failed';

/**
 * A CloudWatch alarm of a member account entering ALARM, as EventBridge delivers it, named
 * `alarmName`: what the member forwards to the central bus, and what the central bus's rule matches.
 */
export function alarmInAlarmPattern(alarmName: string): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: { alarmName: [alarmName], state: { value: ['ALARM'] } },
  };
}

export interface MemberForwardingProps {
  /** The central responder's event bus (its ARN: the member stack's parameter). */
  readonly centralEventBusArn: string;
  /**
   * The role EventBridge puts events on the central bus with. Its permission is the caller's to
   * grant (the target adds none: the role may be one made in another region).
   */
  readonly role: iam.IRole;
}

/**
 * How a member account's rules deliver to the central bus, with nothing dropped silently:
 *
 * - {@link target}: the central bus through {@link MemberForwardingProps.role}, with an SQS
 *   dead-letter queue in the member account (SSE-SQS, TLS only, 14 days) whose policy lets only the
 *   rules using this target send to it (`aws:SourceArn`, added per rule). EventBridge's retry policy
 *   cannot be set for an event-bus target: it retries for 24 hours, 185 attempts, except errors it
 *   does not retry (the bus is gone, the role or the bus policy refuses), which go to the queue at once.
 * - an alarm ({@link MEMBER_FORWARDING_ALARM_NAME}) on any message in that queue, and a rule
 *   forwarding the alarm's change to ALARM to the central bus, through the same target: a member
 *   has no topic and nobody watches its alarms, so the central stack turns that event into a
 *   message in its own dead-letter queue, whose alarm emails people (lib/organization-mode.ts). When
 *   the central bus stays unreachable, that event is dead-lettered too: the member's queue and
 *   alarm keep the evidence, and only someone with access to the member account sees them.
 */
export class MemberForwarding extends Construct {
  /** Where the member's undeliverable events are kept. */
  public readonly deadLetterQueue: Queue;
  /** The target of every member rule: the central bus, with the dead-letter queue. */
  public readonly target: IRuleTarget;
  public readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: MemberForwardingProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', { of: 'the member rules forwarding to the central bus' });
    const bus = EventBus.fromEventBusArn(this, 'CentralBus', props.centralEventBusArn);
    this.target = new targets.EventBus(bus, { role: props.role, deadLetterQueue: this.deadLetterQueue });

    this.alarm = new Alarm(this, 'Alarm', {
      alarmName: MEMBER_FORWARDING_ALARM_NAME,
      alarmDescription: 'exposed-key-responder: an exposed-key event of this account could not be put on the central responder\'s bus; it is kept in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Rule(this, 'AlarmToCentralBus', {
      description: 'exposed-key-responder: the forwarding dead-letter alarm of this account, to the central responder',
      // The default bus of the account has this account's alarms only; the name is the alarm's, in each region.
      eventPattern: alarmInAlarmPattern(MEMBER_FORWARDING_ALARM_NAME),
      targets: [this.target],
    });
  }
}
