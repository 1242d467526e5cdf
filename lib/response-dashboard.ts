import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  IAlarm,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, responderMetric } from './response-metrics';

export interface ResponseDashboardProps {
  /** The response workflow: its executions, by status. */
  readonly stateMachine: IStateMachine;
  /** The alarms shown with their state (the failure alarms and the time-to-contain alarm). */
  readonly alarms: readonly IAlarm[];
  /** The time-to-contain alarm's threshold, drawn on the time-to-contain graph, in seconds. */
  readonly timeToContainThresholdSeconds: number;
}

/** The outcome counters, labelled as the emails tag them. */
const OUTCOMES = [
  [METRIC.started, 'started'],
  [METRIC.contained, 'CONTAINED'],
  [METRIC.containedWithGaps, 'CONTAINED WITH GAPS'],
  [METRIC.escalated, 'ACTION REQUIRED (escalated)'],
  [METRIC.failed, 'FAILED'],
  [METRIC.dryRun, 'DRY RUN'],
] as const;

/**
 * One CloudWatch dashboard for the responder: incidents by outcome (the last 30 days, and per
 * day), time to contain and time to record (with the alarm's threshold), footholds contained,
 * the executions of the workflow, and the state of every alarm. The metrics are the ones the
 * workflow emits in the embedded metric format (namespace ExposedKeyResponder).
 */
export class ResponseDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ResponseDashboardProps) {
    super(scope, id);
    const day = Duration.days(1);
    const sm = props.stateMachine;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(30),
      widgets: [
        [
          new TextWidget({
            markdown: '## exposed-key-responder\nIncidents are counted once per execution: started after the verification, by outcome at its end (after the second look). Time to contain: from the exposure\'s report to the key read back Inactive. Time to record: to the incident record first written.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'Incidents (dashboard time range)',
            metrics: OUTCOMES.map(([name, label]) => responderMetric(name, { label })),
            setPeriodToTimeRange: true,
            width: 24,
            height: 4,
          }),
        ],
        [
          new GraphWidget({
            title: 'Incidents per day, by outcome',
            left: OUTCOMES.map(([name, label]) => responderMetric(name, { label, period: day })),
            width: 12,
          }),
          new GraphWidget({
            title: 'Time to contain and to record (seconds)',
            left: [
              responderMetric(METRIC.timeToContain, { statistic: 'Maximum', period: Duration.hours(1), label: 'time to contain (max)' }),
              responderMetric(METRIC.timeToContain, { statistic: 'Average', period: Duration.hours(1), label: 'time to contain (average)' }),
              responderMetric(METRIC.timeToRecord, { statistic: 'Maximum', period: Duration.hours(1), label: 'time to record (max)' }),
            ],
            leftAnnotations: [{ value: props.timeToContainThresholdSeconds, label: `alarm: time to contain > ${props.timeToContainThresholdSeconds} s` }],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Footholds contained per day',
            left: [responderMetric(METRIC.footholdsContained, { period: day, label: 'footholds contained' })],
            width: 12,
          }),
          new GraphWidget({
            title: 'Workflow executions per day',
            left: [
              sm.metricSucceeded({ period: day, statistic: 'Sum', label: 'succeeded' }),
              sm.metricFailed({ period: day, statistic: 'Sum', label: 'failed' }),
              sm.metricTimedOut({ period: day, statistic: 'Sum', label: 'timed out' }),
              sm.metricAborted({ period: day, statistic: 'Sum', label: 'aborted' }),
            ],
            width: 12,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24 })],
      ],
    });
  }
}
