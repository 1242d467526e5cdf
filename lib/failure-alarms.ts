import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { IQueue } from 'aws-cdk-lib/aws-sqs';
import { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Every alarm looks at one-minute periods and fires on the first one with at least one failure. */
export const ALARM_PERIOD = Duration.minutes(1);

export interface FailureAlarmsProps {
  /** The response workflow: its failed, timed-out and aborted executions alarm. */
  readonly stateMachine: IStateMachine;
  /** Where undispatched events end up (the detection rules' dead-letter queue): any message in it alarms. */
  readonly deadLetterQueue: IQueue;
  /** The Lambda the detection rules invoke: any error of it alarms. */
  readonly dispatcher: IFunction;
  /**
   * Where the alarms publish (the notification topic). An encrypted topic must let
   * `cloudwatch.amazonaws.com` publish and use its key (`NotificationTopic` does).
   */
  readonly topic: ITopic;
  /**
   * More Lambdas whose Errors alarm like the dispatcher's, by name (the alarm's id is
   * `<name>Errors`). Leave the workflow's step Lambdas out: every Task state of the workflow
   * retries and then catches their errors, so a step error that matters ends the execution
   * FAILED (the failure email is sent first) and the executions-failed alarm fires; alarming on
   * their Errors too would page on every throttle the retries absorbed, and twice for the rest.
   * @default - none: only the dispatcher's errors alarm
   */
  readonly extraFunctions?: Readonly<Record<string, IFunction>>;
}

/**
 * The alarms that make a failure of the responder impossible to miss, each publishing to the
 * notification topic when it goes into ALARM (no OK action: a failure is not resolved by the
 * next quiet minute). Each counts failures per minute and fires at the first one; a minute
 * without data is not a failure (`notBreaching`: these metrics are published only when something
 * happens). Each description says where to look:
 *
 * - executions of the workflow FAILED, TIMED_OUT or ABORTED (`AWS/States`, by state machine ARN);
 * - a message in the dead-letter queue (`AWS/SQS` ApproximateNumberOfMessagesVisible, by queue
 *   name): an exposure report that was never dispatched;
 * - an error of the dispatcher (`AWS/Lambda` Errors, by function name), and of
 *   {@link FailureAlarmsProps.extraFunctions}.
 */
export class FailureAlarms extends Construct {
  /** At least one execution ended FAILED. */
  public readonly executionsFailed: Alarm;
  /** At least one execution ran past the workflow's time limit. */
  public readonly executionsTimedOut: Alarm;
  /** At least one execution was stopped. */
  public readonly executionsAborted: Alarm;
  /** The dead-letter queue holds at least one message. */
  public readonly deadLetters: Alarm;
  /** The dispatcher threw at least once. */
  public readonly dispatcherErrors: Alarm;
  /** The Errors alarms of {@link FailureAlarmsProps.extraFunctions}, by name. */
  public readonly functionErrors: Readonly<Record<string, Alarm>>;

  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: FailureAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    const { region } = Stack.of(this);
    const sm = props.stateMachine;
    const executions = `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${sm.stateMachineArn}`;
    const history = `Open the execution in the Step Functions console (${executions}) and read its event history: which state`;
    const stillExposed = 'The key may still be active: check its status in IAM and finish containment by hand if needed (deactivate the key, attach the quarantine policy), then start a new execution with the same input (console: New execution) to run the response again.';

    this.executionsFailed = this.alarm(
      'ExecutionsFailed',
      sm.metricFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `exposed-key-responder: an incident response FAILED. ${history} failed, with which error and cause; the incident email ([FAILED]) and report name it too. ${stillExposed}`,
    );
    this.executionsTimedOut = this.alarm(
      'ExecutionsTimedOut',
      sm.metricTimedOut({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `exposed-key-responder: an incident response TIMED OUT (it ran past the workflow's TimeoutSeconds), possibly before its email was sent. ${history} was running and what it was waiting for (throttling, a slow region). ${stillExposed}`,
    );
    this.executionsAborted = this.alarm(
      'ExecutionsAborted',
      sm.metricAborted({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `exposed-key-responder: an incident response was ABORTED (StopExecution) before it finished, possibly before its email was sent. Find who stopped it (CloudTrail, StopExecution). ${history} it reached. ${stillExposed}`,
    );

    const q = props.deadLetterQueue;
    const d = props.dispatcher;
    this.deadLetters = this.alarm(
      'DeadLetters',
      q.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `exposed-key-responder: an exposure report was NOT dispatched and no response started. It is in the dead-letter queue ${q.queueName}: poll it in the SQS console. EventBridge puts the event with ERROR_CODE and ERROR_MESSAGE attributes; Lambda puts a record whose requestPayload is the event and responsePayload the error. Read why in the dispatcher's log (${d.functionName}), fix it, redrive the event by invoking the dispatcher with it (aws lambda invoke --invocation-type Event --function-name ${d.functionName} --payload file://event.json --cli-binary-format raw-in-base64-out) or send a manual report for the key, then delete the message.`,
    );
    this.dispatcherErrors = this.alarm(
      'DispatcherErrors',
      d.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `exposed-key-responder: the dispatcher (${d.functionName}) threw: an exposure report may not have started a response. Read its log group in CloudWatch Logs (the error names the event). Lambda retries it; an event it keeps rejecting goes to the dead-letter queue (${q.queueName}), which alarms too.`,
    );

    this.functionErrors = Object.fromEntries(Object.entries(props.extraFunctions ?? {}).map(([name, fn]) => [
      name,
      this.alarm(
        `${name}Errors`,
        fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
        `exposed-key-responder: the ${name} Lambda (${fn.functionName}) threw. Read its log group in CloudWatch Logs; if it runs in the workflow, the execution's event history shows the incident and whether the retries recovered.`,
      ),
    ]));
  }

  /** Every alarm of this construct. */
  public get alarms(): Alarm[] {
    return [this.executionsFailed, this.executionsTimedOut, this.executionsAborted, this.deadLetters, this.dispatcherErrors, ...Object.values(this.functionErrors)];
  }

  private alarm(id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}
