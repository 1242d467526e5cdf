import { drillSettings, lambdaEnvironments } from '../../drill/lambda-environments';
import { LAMBDA_NAMES } from '../../lib/bundling';
import { findFunction, Resource, responderStack, roleOf, statementsOfFunction } from './helpers';

const organization = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh', 'ou-ab12-ijklmnop'] };
const { template } = responderStack({ organization });
const json = template.toJSON() as { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const [[busId]] = ofType('AWS::Events::EventBus');
const [[, stackSet]] = ofType('AWS::CloudFormation::StackSet');
const memberBody = JSON.parse(stackSet.Properties.TemplateBody as string) as { Resources: Record<string, Resource>; Parameters: Record<string, unknown> };

/** The Lambdas that act in the account of an incident, and those that never do. */
const WORKERS = ['dispatcher', 'contain', 'verify', 'investigate', 'footholds', 'evidence', 'support'];
const CENTRAL_ONLY = LAMBDA_NAMES.filter((n) => !WORKERS.includes(n));
const MEMBER_ROLES_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/exposed-key-responder-member']] };

describe('organization mode: the central stack', () => {
  it('deploys the member stack as a service-managed StackSet that follows the units automatically', () => {
    expect(stackSet.Properties).toMatchObject({
      StackSetName: 'exposed-key-responder-member',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{
        DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-abcdefgh', 'ou-ab12-ijklmnop'] },
        Regions: ['us-east-1', 'us-west-2'],
      }],
      OperationPreferences: { RegionConcurrencyType: 'SEQUENTIAL', RegionOrder: ['us-east-1', 'us-west-2'] },
    });
  });

  it('gives the member template the central bus and exactly the roles of the Lambdas that act in an account', () => {
    const params = Object.fromEntries((stackSet.Properties.Parameters as Array<{ ParameterKey: string; ParameterValue: unknown }>).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params.CentralEventBusArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    const roleArns = (params.ResponderRoleArns as { 'Fn::Join': [string, Array<{ 'Fn::GetAtt': [string, string] }>] })['Fn::Join'];
    expect(roleArns[0]).toBe(',');
    expect(roleArns[1].map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(WORKERS.map((n) => roleOf(findFunction(template, n)[1])).sort());
    expect(Object.keys(memberBody.Parameters).sort()).toEqual(['CentralEventBusArn', 'ResponderRoleArns']);
  });

  it('carries a member template with no Lambda and no asset', () => {
    const types = new Set(Object.values(memberBody.Resources).map((r) => r.Type));
    expect(types).not.toContain('AWS::Lambda::Function');
    expect([...types].sort()).toEqual(['AWS::CloudWatch::Alarm', 'AWS::Events::Rule', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']);
    expect(stackSet.Properties.TemplateBody).not.toMatch(/AssetParameters|cdk-assets|BootstrapVersion|S3Bucket/);
    // CloudFormation's limit for a TemplateBody.
    expect((stackSet.Properties.TemplateBody as string).length).toBeLessThan(51_200);
  });

  it('admits events on the central bus from principals of the organization only', () => {
    const policies = ofType('AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties).toMatchObject({
      EventBusName: { Ref: busId },
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    });
  });

  it('has the detection rules on the central bus, for any account, delivered to the dispatcher with the dead-letter queue', () => {
    const onBus = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: busId }))
      .filter(([, r]) => r.Properties.EventPattern.source[0] !== 'aws.cloudwatch');
    expect(onBus.map(([, r]) => r.Properties.Description).sort()).toEqual([
      'exposed-key-responder: HealthRisk',
      'exposed-key-responder: LegacyQuarantineInlinePolicy',
      'exposed-key-responder: QuarantinePolicyAttached',
      'exposed-key-responder: TrustedAdvisorExposedKeys',
    ]);
    const [dispatcherId] = findFunction(template, 'dispatcher');
    for (const [, rule] of onBus) {
      expect(rule.Properties.EventPattern.account).toBeUndefined();
      expect(rule.Properties.Targets).toHaveLength(1);
      expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [dispatcherId, 'Arn'] });
      expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    }
  });

  it('puts a member\'s forwarding dead-letter alarm, and nothing else of CloudWatch, in the central dead-letter queue (which alarms)', () => {
    const [[ruleId, rule]] = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern.source[0] === 'aws.cloudwatch');
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: ['exposed-key-responder-forwarding-failed'], state: { value: ['ALARM'] } },
    });
    const [[queueId]] = ofType('AWS::SQS::Queue');
    expect(rule.Properties.Targets.map((t: { Arn: unknown }) => t.Arn)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    const [[, policy]] = ofType('AWS::SQS::QueuePolicy');
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
    }));
  });

  it('keeps the default bus rules of its own account', () => {
    const ownRules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventBusName === undefined);
    expect(ownRules).toHaveLength(4);
    for (const [, rule] of ownRules) expect(rule.Properties.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });

  it.each(WORKERS)('lets the %s Lambda assume the member role, in accounts of the organization only', (name) => {
    const assume = statementsOfFunction(template, name).filter((s) => s.Action.includes('sts:AssumeRole'));
    expect(assume).toEqual([{
      Sid: 'ActInMemberAccounts',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: MEMBER_ROLES_ARN,
      Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
    }]);
    const env = findFunction(template, name)[1].Properties.Environment.Variables;
    expect(env.MEMBER_ROLE_NAME).toBe('exposed-key-responder-member');
    expect(env.ACCOUNT_ID).toEqual({ Ref: 'AWS::AccountId' });
  });

  it.each(CENTRAL_ONLY)('gives the %s Lambda no role assumption (it only writes, publishes or posts centrally)', (name) => {
    expect(statementsOfFunction(template, name).flatMap((s) => s.Action)).not.toContain('sts:AssumeRole');
    expect(findFunction(template, name)[1].Properties.Environment.Variables.MEMBER_ROLE_NAME).toBeUndefined();
  });

  it('outputs the central bus ARN', () => {
    expect(json.Outputs.CentralEventBusArn).toEqual({ Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
  });
});

describe('per-account mode (no organizationId)', () => {
  const single = responderStack().template;
  const types = Object.values(single.toJSON().Resources as Record<string, Resource>).map((r) => r.Type);

  it('has no StackSet, no central bus and no role assumption', () => {
    expect(types).not.toContain('AWS::CloudFormation::StackSet');
    expect(types).not.toContain('AWS::Events::EventBus');
    for (const name of LAMBDA_NAMES) {
      expect(statementsOfFunction(single, name).flatMap((s) => s.Action)).not.toContain('sts:AssumeRole');
      expect(findFunction(single, name)[1].Properties.Environment.Variables.MEMBER_ROLE_NAME).toBeUndefined();
    }
  });
});

describe('organization mode: the drill gives the Lambdas the variables the stack gives', () => {
  it.each([...LAMBDA_NAMES])('%s', (name) => {
    const drill = lambdaEnvironments(drillSettings({ dryRun: false, protectedUsers: [], lookbackDays: 14, organization }, '999988887777'));
    const { POWERTOOLS_SERVICE_NAME: _s, POWERTOOLS_LOG_LEVEL: _l, ...stack } = findFunction(template, name)[1].Properties.Environment.Variables;
    expect(Object.keys(drill[name]).sort()).toEqual(Object.keys(stack).sort());
  });
});
