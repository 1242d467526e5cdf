import { Template } from 'aws-cdk-lib/assertions';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALARM_PERIOD, FailureAlarms, FailureAlarmsProps } from '../../lib/failure-alarms';
import { Resource, stubFunction, testStack } from './helpers';

function synth(props: Partial<FailureAlarmsProps> = {}) {
  const stack = testStack();
  const stateMachine = new StateMachine(stack, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Pass')) });
  const deadLetterQueue = new Queue(stack, 'DeadLetterQueue');
  const dispatcher = stubFunction(stack, 'Dispatcher');
  const topic = new Topic(stack, 'Topic');
  const alarms = new FailureAlarms(stack, 'FailureAlarms', { stateMachine, deadLetterQueue, dispatcher, topic, ...props });
  const template = Template.fromStack(stack);
  const idOf = (c: Construct) => stack.getLogicalId(c.node.defaultChild as never);
  const resources = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
  /** The template resource of one alarm of the construct. */
  const alarmOf = (alarm: Construct) => resources[stack.getLogicalId(alarm.node.defaultChild as CfnAlarm)];
  return { stack, template, alarms, alarmOf, resources, ids: { stateMachine: idOf(stateMachine), queue: idOf(deadLetterQueue), dispatcher: idOf(dispatcher), topic: idOf(topic) } };
}

const { alarms, alarmOf, resources, ids } = synth();

/** What every alarm has in common: the first minute with one failure alarms, to the topic, and only then. */
const FIRES_ON_FIRST_FAILURE = {
  Period: 60,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  EvaluationPeriods: 1,
  DatapointsToAlarm: 1,
  TreatMissingData: 'notBreaching',
};

/** The alarm description with each CloudFormation token replaced by a string of `tokenLength` characters. */
function worstCaseDescription(description: unknown, tokenLength: number): string {
  if (typeof description === 'string') return description;
  const [, parts] = (description as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : 'x'.repeat(tokenLength))).join('');
}

describe('FailureAlarms', () => {
  it('has five alarms by default: failed, timed-out and aborted executions, dead letters, dispatcher errors', () => {
    expect(Object.keys(resources)).toHaveLength(5);
    expect(alarms.alarms).toEqual([alarms.executionsFailed, alarms.executionsTimedOut, alarms.executionsAborted, alarms.deadLetters, alarms.dispatcherErrors]);
    expect(alarms.functionErrors).toEqual({});
  });

  it.each([
    ['executionsFailed', 'ExecutionsFailed'],
    ['executionsTimedOut', 'ExecutionsTimedOut'],
    ['executionsAborted', 'ExecutionsAborted'],
  ] as const)('%s: AWS/States %s of the state machine, summed per minute, >= 1', (prop, metric) => {
    expect(alarmOf(alarms[prop]).Properties).toMatchObject({
      ...FIRES_ON_FIRST_FAILURE,
      Namespace: 'AWS/States',
      MetricName: metric,
      Statistic: 'Sum',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }],
    });
  });

  it('dead letters: AWS/SQS ApproximateNumberOfMessagesVisible of the queue, its maximum per minute, >= 1', () => {
    expect(alarmOf(alarms.deadLetters).Properties).toMatchObject({
      ...FIRES_ON_FIRST_FAILURE,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
    });
  });

  it('dispatcher errors: AWS/Lambda Errors of the dispatcher, summed per minute, >= 1', () => {
    expect(alarmOf(alarms.dispatcherErrors).Properties).toMatchObject({
      ...FIRES_ON_FIRST_FAILURE,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.dispatcher } }],
    });
  });

  it('looks at one-minute periods', () => {
    expect(ALARM_PERIOD.toSeconds()).toBe(60);
  });

  it('publishes each alarm to the topic when it goes into ALARM, and on no other transition', () => {
    for (const alarm of Object.values(resources)) {
      expect(alarm.Properties.ActionsEnabled).not.toBe(false);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: ids.topic }]);
      expect(alarm.Properties.OKActions).toBeUndefined();
      expect(alarm.Properties.InsufficientDataActions).toBeUndefined();
    }
  });

  it('says in each description what failed and where to look', () => {
    const text = (alarm: Construct) => JSON.stringify(alarmOf(alarm).Properties.AlarmDescription);
    for (const prop of ['executionsFailed', 'executionsTimedOut', 'executionsAborted'] as const) {
      expect(text(alarms[prop])).toContain('event history');
      expect(text(alarms[prop])).toContain('console.aws.amazon.com/states/home');
      expect(text(alarms[prop])).toContain(ids.stateMachine);
    }
    expect(text(alarms.executionsFailed)).toContain('FAILED');
    expect(text(alarms.executionsTimedOut)).toContain('TIMED OUT');
    expect(text(alarms.executionsAborted)).toMatch(/ABORTED.*CloudTrail, StopExecution/);
    // The dead letters: which queue, how to read a message, where the cause is, how to redrive it.
    expect(text(alarms.deadLetters)).toContain(ids.queue);
    expect(text(alarms.deadLetters)).toMatch(/requestPayload.*dispatcher's log.*redrive.*aws lambda invoke --invocation-type Event/);
    expect(text(alarms.deadLetters)).toContain(ids.dispatcher);
    expect(text(alarms.dispatcherErrors)).toMatch(/log group/);
    expect(text(alarms.dispatcherErrors)).toContain(ids.dispatcher);
  });

  it('keeps each description within CloudWatch\'s 1024 characters, even with the longest resource names', () => {
    for (const alarm of Object.values(resources)) {
      // A state machine ARN is at most ~140 characters (an 80-character name), the rest less.
      expect(worstCaseDescription(alarm.Properties.AlarmDescription, 140).length).toBeLessThanOrEqual(1024);
    }
  });
});

describe('FailureAlarms extraFunctions', () => {
  const s = testStack();
  const stateMachine = new StateMachine(s, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(new Pass(s, 'Pass')) });
  const contain = stubFunction(s, 'Contain');
  const report = stubFunction(s, 'Report');
  const withExtra = new FailureAlarms(s, 'FailureAlarms', {
    stateMachine,
    deadLetterQueue: new Queue(s, 'DeadLetterQueue'),
    dispatcher: stubFunction(s, 'Dispatcher'),
    topic: new Topic(s, 'Topic'),
    extraFunctions: { contain, report },
  });
  const t = Template.fromStack(s);
  const all = t.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;

  it('adds one Errors alarm per function, with the same threshold and action', () => {
    expect(Object.keys(all)).toHaveLength(7);
    expect(Object.keys(withExtra.functionErrors)).toEqual(['contain', 'report']);
    const [topicId] = Object.keys(t.findResources('AWS::SNS::Topic'));
    for (const [name, fn] of [['contain', contain], ['report', report]] as const) {
      const alarm = all[s.getLogicalId(withExtra.functionErrors[name].node.defaultChild as CfnAlarm)];
      expect(withExtra.functionErrors[name].node.id).toBe(`${name}Errors`);
      expect(alarm.Properties).toMatchObject({
        ...FIRES_ON_FIRST_FAILURE,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: s.getLogicalId(fn.node.defaultChild as never) } }],
        AlarmActions: [{ Ref: topicId }],
      });
      expect(JSON.stringify(alarm.Properties.AlarmDescription)).toContain(`the ${name} Lambda`);
    }
    expect(withExtra.alarms).toHaveLength(7);
  });
});
