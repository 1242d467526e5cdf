import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { NotificationTopic, NotificationTopicProps } from '../../lib/notification-topic';
import { Resource, testApp, testStack } from './helpers';

function synth(props?: NotificationTopicProps) {
  const stack = testStack();
  new NotificationTopic(stack, 'Notifications', props);
  return { stack, template: Template.fromStack(stack) };
}

describe('NotificationTopic', () => {
  it('encrypts the topic with a customer-managed KMS key that rotates', () => {
    const { template } = synth();
    const [[keyId, key]] = Object.entries(template.findResources('AWS::KMS::Key')) as Array<[string, Resource]>;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('keeps the key when the stack is deleted by default, and takes the removal policy from props', () => {
    expect((Object.values(synth().template.findResources('AWS::KMS::Key'))[0] as Resource).DeletionPolicy).toBe('Retain');
    const destroyed = synth({ keyRemovalPolicy: RemovalPolicy.DESTROY }).template;
    expect((Object.values(destroyed.findResources('AWS::KMS::Key'))[0] as Resource).DeletionPolicy).toBe('Delete');
  });

  it('refuses publishing without TLS', () => {
    synth().template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes each email address', () => {
    const { template } = synth({ emails: ['a@example.com', 'b@example.com'] });
    const subs = Object.values(template.findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subs.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual([
      ['email', 'a@example.com'],
      ['email', 'b@example.com'],
    ]);
  });

  it('has no subscription by default, and warns that nobody will be told', () => {
    const { stack, template } = synth();
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(stack).hasWarning('/Test/Notifications', Match.stringLikeRegexp('no subscriber.*notificationEmail'));
  });

  it('does not warn when it has subscribers', () => {
    const { stack } = synth({ emails: ['a@example.com'] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  it('lets CloudWatch alarms of this account use the key: kms:Decrypt and kms:GenerateDataKey*, and nothing else', () => {
    const { template } = synth();
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Resource[];
    const statements = (key.Properties.KeyPolicy.Statement as Array<Record<string, any>>)
      .filter((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
    expect(statements).toEqual([{
      Sid: 'CloudWatchAlarmsUseKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
  });

  it('lets CloudWatch alarms of this account and region publish to the topic (the TLS-only topic policy replaces SNS\'s default one)', () => {
    const { template } = synth();
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Resource[];
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
    expect(statements).toEqual([{
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
      },
    }]);
  });

  it('uses the real account in those conditions when it is known', () => {
    const stack = new Stack(testApp(), 'Known', { env: { region: 'us-east-1', account: '123456789012' } });
    new NotificationTopic(stack, 'Notifications');
    const template = Template.fromStack(stack);
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Resource[];
    const statement = (key.Properties.KeyPolicy.Statement as Array<Record<string, any>>).find((st) => st.Sid === 'CloudWatchAlarmsUseKey')!;
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
  });

  it('gives no other service principal access to the key', () => {
    const { template } = synth();
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Resource[];
    const services = (key.Properties.KeyPolicy.Statement as Array<{ Principal: { Service?: string } }>)
      .map((st) => st.Principal.Service).filter(Boolean);
    expect(services).toEqual(['cloudwatch.amazonaws.com']);
  });
});
