import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ResponderFunction, ResponderFunctionProps } from '../../lib/responder-function';
import { Resource, statementsOfRole, testStack } from './helpers';

function synth(props: Partial<ResponderFunctionProps> = {}) {
  const stack = testStack();
  const fn = new ResponderFunction(stack, 'Fn', { lambdaName: 'verify', ...props });
  const template = Template.fromStack(stack);
  const [[, lambda]] = Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, Resource]>;
  return { stack, fn, template, lambda };
}

describe('ResponderFunction', () => {
  it('runs Node.js 24 on ARM, handler index.handler (the ESM bundle), 1024 MiB and 30 s by default', () => {
    const { lambda } = synth();
    expect(lambda.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 30,
    });
  });

  it('sets the Powertools service name to the Lambda name and the log level to INFO by default', () => {
    const { lambda } = synth();
    expect(lambda.Properties.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'verify',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('adds the given environment, which cannot override the Powertools variables', () => {
    const { lambda } = synth({ environment: { DRY_RUN: 'true', POWERTOOLS_SERVICE_NAME: 'other' }, logLevel: 'DEBUG' });
    expect(lambda.Properties.Environment.Variables).toEqual({
      DRY_RUN: 'true',
      POWERTOOLS_SERVICE_NAME: 'verify',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
  });

  it('takes memory and timeout from props', () => {
    const { lambda } = synth({ memorySize: 512, timeout: Duration.seconds(90) });
    expect(lambda.Properties).toMatchObject({ MemorySize: 512, Timeout: 90 });
  });

  it('logs to its own log group, kept 365 days and retained on stack deletion by default', () => {
    const { template, lambda } = synth();
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const [[groupId, group]] = Object.entries(groups) as Array<[string, Resource]>;
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.DeletionPolicy).toBe('Retain');
    expect(lambda.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: groupId } });
  });

  it('takes the log retention and removal policy from props', () => {
    const { template } = synth({ logRetention: RetentionDays.ONE_MONTH, logRemovalPolicy: RemovalPolicy.DESTROY });
    const [group] = Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(group.Properties.RetentionInDays).toBe(30);
    expect(group.DeletionPolicy).toBe('Delete');
  });

  it('has a role of its own, without managed policies, that may only write to its log group', () => {
    const { template, lambda, fn, stack } = synth();
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(1);
    const [[roleId, role]] = Object.entries(roles) as Array<[string, Resource]>;
    expect(lambda.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }),
    ]);
    const [groupId] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    expect(statementsOfRole(template, roleId)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [groupId, 'Arn'] } },
    ]);
    expect(stack.resolve(fn.role.roleArn)).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  it('groups the function, its role and its log group under the id it is given', () => {
    const { fn } = synth();
    expect(fn.node.path).toBe('Test/Fn/Function');
    expect(fn.node.scope!.node.children.map((c) => c.node.id).sort()).toEqual(['Function', 'LogGroup', 'Role']);
  });
});
