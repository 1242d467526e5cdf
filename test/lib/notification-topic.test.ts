import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { NotificationTopic, NotificationTopicProps } from '../../lib/notification-topic';
import { Resource, testStack } from './helpers';

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
});
