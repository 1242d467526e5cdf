import { synthesizeForDrill } from '../../lib/synth';
import { STACK_ID } from '../../lib/exposed-key-responder-stack';
import { DEFAULT_STACK_NAME } from '../../cli/stack';

// The command line finds everything through the stack's outputs: the stack must have them.
describe('the stack outputs the command line reads', () => {
  it('has the workflow, bucket, topic, dead-letter queue and quarantine policy, and the report bus and Slack secret when configured', () => {
    const outputs = Object.keys(synthesizeForDrill({ reporters: 'arn:aws:iam::123456789012:role/oncall', slackWebhookSecret: 'exposed-key-responder/slack-webhook' }).toJSON().Outputs ?? {});

    expect(outputs).toEqual(expect.arrayContaining(['StateMachineArn', 'IncidentBucketName', 'NotificationTopicArn', 'DeadLetterQueueUrl', 'QuarantinePolicyArn', 'ReportBusName', 'SlackWebhookSecretArn']));
  });

  it('looks for the stack under the name cdk deploy gives it', () => {
    expect(DEFAULT_STACK_NAME).toBe(STACK_ID);
  });
});
