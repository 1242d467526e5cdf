import { Resource, responderStack, statementsOfRole } from './helpers';

function stateMachineStatements(config = {}) {
  const { template } = responderStack(config);
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

describe('what the workflow may import into Security Hub', () => {
  it('nothing without securityHub', () => {
    expect(stateMachineStatements().filter((s) => s.Action.some((a) => a.startsWith('securityhub:')))).toEqual([]);
  });

  it('with securityHub: BatchImportFindings into the account\'s own product only', () => {
    const imports = stateMachineStatements({ securityHub: true }).filter((s) => s.Action.some((a) => a.startsWith('securityhub:')));

    expect(imports).toEqual([{
      Sid: 'ImportIncidentFinding',
      Effect: 'Allow',
      Action: ['securityhub:BatchImportFindings'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:us-east-1:', { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default']] },
    }]);
  });
});
