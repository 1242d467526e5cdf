import { Resource, responderStack, statementsOfRole } from './helpers';

function stateMachineStatements() {
  const { template } = responderStack();
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Resource[];
  const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return statementsOfRole(template, roleId);
}

describe('what the workflow may publish', () => {
  const statements = stateMachineStatements();

  it('may put the completion event on the default bus only, with the responder\'s source and the completion detail-type only', () => {
    const puts = statements.filter((s) => s.Action.includes('events:PutEvents'));

    expect(puts).toEqual([{
      Sid: 'PublishCompletionEvent',
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
      Condition: { StringEquals: { 'events:source': 'exposed-key-responder', 'events:detail-type': 'Exposed Key Response Completed' } },
    }]);
  });
});
