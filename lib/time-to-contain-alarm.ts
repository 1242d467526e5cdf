import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC, responderMetric } from './response-metrics';

export interface TimeToContainAlarmProps {
  /**
   * The alarm fires when one incident's time to contain (the exposure's report to the key read
   * back Inactive) is above this many seconds.
   * @default 120
   */
  readonly thresholdSeconds?: number;
  /** Where the alarm publishes (the notification topic, which lets CloudWatch publish). */
  readonly topic: ITopic;
}

/**
 * An alarm on a slow containment: the longest time to contain of any incident in a minute above
 * the threshold. The metric is emitted once per incident, right after the verification (the
 * workflow's AnnounceStart), so the alarm fires within a couple of minutes of a slow one. A
 * minute without an incident is not breaching. Like the failure alarms, it publishes to the
 * notification topic when it goes into ALARM.
 */
export class TimeToContainAlarm extends Construct {
  public readonly alarm: Alarm;
  /** The threshold it was built with, in seconds. */
  public readonly thresholdSeconds: number;

  constructor(scope: Construct, id: string, props: TimeToContainAlarmProps) {
    super(scope, id);
    this.thresholdSeconds = props.thresholdSeconds ?? 120;
    this.alarm = new Alarm(this, 'Alarm', {
      metric: responderMetric(METRIC.timeToContain, { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: this.thresholdSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `exposed-key-responder: an exposed key took more than ${this.thresholdSeconds} s from its report to being read back Inactive (metric ${METRIC.timeToContain}, namespace ExposedKeyResponder). The key is contained now; find out what was slow: the execution's event history (Contain, Verify: retries, throttling), the dispatcher's log (a late event, a slow owner lookup) and the incident record's timeline. Threshold: context timeToContainAlarmSeconds.`,
    });
    this.alarm.addAlarmAction(new SnsAction(props.topic));
  }
}
