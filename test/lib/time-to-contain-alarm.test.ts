import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { TimeToContainAlarm } from '../../lib/time-to-contain-alarm';
import { Resource, testStack } from './helpers';

function synth(thresholdSeconds?: number) {
  const stack = testStack();
  const topic = new Topic(stack, 'Topic');
  new TimeToContainAlarm(stack, 'TimeToContain', { topic, ...(thresholdSeconds === undefined ? {} : { thresholdSeconds }) });
  const template = Template.fromStack(stack);
  const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
  return { alarm, topicId: stack.getLogicalId(topic.node.defaultChild as never) };
}

describe('TimeToContainAlarm', () => {
  it('fires when one incident\'s time to contain, in a minute, is above 120 s, and tells the topic', () => {
    const { alarm, topicId } = synth();

    expect(alarm.Properties).toMatchObject({
      Namespace: 'ExposedKeyResponder',
      MetricName: 'TimeToContain',
      Dimensions: [{ Name: 'service', Value: 'exposed-key-responder' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 120,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
    expect(alarm.Properties.AlarmDescription).toContain('more than 120 s from its report to being read back Inactive');
  });

  it('takes its threshold from the prop (context timeToContainAlarmSeconds)', () => {
    const { alarm } = synth(45);

    expect(alarm.Properties.Threshold).toBe(45);
    expect(alarm.Properties.AlarmDescription).toContain('more than 45 s');
  });
});
