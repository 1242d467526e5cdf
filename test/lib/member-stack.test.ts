import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { quarantinePolicyDocument } from '../../lambdas/shared/policies';
import { MemberStack } from '../../lib/member-stack';
import { allowedActions, Resource, responderStack, Statement, statementsOfFunction, statementsOfRole, testApp } from './helpers';

const props = { organizationId: 'o-a1b2c3d4e5', protectedUsers: ['break-glass', '/breakglass/*', '111122223333:ci-deploy'], protectedRoles: ['OrgAdmin'] };

function memberApp(extra: Partial<typeof props> & { stopLaunchedInstances?: boolean } = {}) {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new MemberStack(app, 'Member', { ...props, ...extra });
  return { app, template: Template.fromStack(stack) };
}

const { app, template } = memberApp();
const resources = template.toJSON().Resources as Record<string, Resource & { Condition?: string }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const roleNamed = (name: string) => ofType('AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === name)!;
const [responderId, responder] = roleNamed('exposed-key-responder-member');
const [forwarderId, forwarder] = roleNamed('exposed-key-responder-forwarder');
const responderStatements = statementsOfRole(template, responderId);

describe('the member stack (organization mode)', () => {
  it('has no Lambda, no asset and no bootstrap parameter: only the two values the StackSet gives', () => {
    expect(ofType('AWS::Lambda::Function')).toEqual([]);
    expect(Object.keys(template.toJSON().Parameters).sort()).toEqual(['CentralEventBusArn', 'ResponderRoleArns']);
    expect(template.toJSON().Rules).toBeUndefined();
  });

  it('lets only the central responder\'s roles assume the member role, and only from inside the organization', () => {
    expect(responder.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: { Ref: 'ResponderRoleArns' } },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    }]);
  });

  it('gives the member role what the steps do in an account: contain, verify, investigate, evidence, footholds, support, owner lookup', () => {
    const actions = allowedActions(responderStatements);
    for (const a of ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy', 'iam:GetAccessKeyLastUsed', 'cloudtrail:LookupEvents',
      'iam:SimulatePrincipalPolicy', 'ec2:CreateSnapshots', 'iam:PutRolePolicy', 'iam:DeleteLoginProfile', 'support:CreateCase']) {
      expect(actions).toContain(a);
    }
    // What stays central: records, messages, executions, secrets; and nothing to create or delete users, keys or policies.
    for (const a of ['s3:PutObject', 'sns:Publish', 'states:StartExecution', 'secretsmanager:GetSecretValue', 'sts:AssumeRole',
      'iam:CreatePolicy', 'iam:DeleteUser', 'iam:DeleteAccessKey', 'iam:CreateAccessKey', 'ec2:StopInstances', 'ec2:TerminateInstances']) {
      expect(actions).not.toContain(a);
    }
  });

  it('has exactly the statements of the central Lambdas that act in an account (one copy of each permission), minus the central writes', () => {
    const central = responderStack({ protectedUsers: props.protectedUsers, protectedRoles: props.protectedRoles }).template;
    const centralActions = allowedActions(['dispatcher', 'contain', 'verify', 'investigate', 'evidence', 'footholds', 'support'].flatMap((n) => statementsOfFunction(central, n)))
      .filter((a) => !/^(logs|s3|sns|sqs|states|kms):/.test(a));
    expect(allowedActions(responderStatements)).toEqual(centralActions);
  });

  it('denies every change to the protected users and roles in the member account too', () => {
    const denies = responderStatements.filter((s: Statement) => s.Effect === 'Deny').map((s) => s.Sid);
    expect(denies).toEqual(expect.arrayContaining(['NeverTouchProtectedUsers', 'NeverTouchTaggedUsers', 'NeverTouchProtectedRoles', 'NeverTouchTaggedRoles', 'NeverTouchServiceLinkedRoles']));
  });

  it('denies a user protected in one account by that account\'s ARNs only', () => {
    const deny = responderStatements.filter((s) => s.Sid === 'NeverTouchProtectedUsers');
    const resources = deny.flatMap((s) => s.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(resources).toContain(JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:user/ci-deploy']] }));
    expect(resources).toContain(JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:user/*/ci-deploy']] }));
    expect(resources).toContain(JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':user/break-glass']] }));
    expect(resources.filter((r) => r.includes('ci-deploy') && r.includes('AWS::AccountId'))).toEqual([]);
  });

  it('may attach its own fixed-name quarantine policy (the central one cannot be attached across accounts), whose document is the central one', () => {
    const [[policyId, policy]] = ofType('AWS::IAM::ManagedPolicy');
    expect(policy.Properties.ManagedPolicyName).toBe('ExposedKeyResponderQuarantine');
    expect(policy.Properties.Path).toBe('/exposed-key-responder/');
    expect(policy.Properties.PolicyDocument).toEqual(quarantinePolicyDocument());
    const attach = responderStatements.filter((s) => s.Action.includes('iam:AttachUserPolicy') && s.Effect === 'Allow');
    expect(attach.map((s) => s.Condition)).toEqual([{ ArnEquals: { 'iam:PolicyARN': [{ Ref: policyId }] } }]);
  });

  it('forwards through a role that may only put events on the central bus', () => {
    expect(forwarder.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
    expect(statementsOfRole(template, forwarderId).map(({ Effect, Action, Resource: r }) => ({ Effect, Action, Resource: r })))
      .toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: { Ref: 'CentralEventBusArn' } }]);
  });

  it('has the four detection rules in us-east-1 and the Health rule in us-west-2, for this account\'s events, to the central bus', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => ({ name: r.Properties.Description, condition: r.Condition, pattern: r.Properties.EventPattern, targets: r.Properties.Targets }))
      .filter((r) => r.pattern.source[0] !== 'aws.cloudwatch');
    expect(rules.map((r) => [r.name, r.condition]).sort()).toEqual([
      ['exposed-key-responder: HealthRisk', 'InHealthBackupRegion'],
      ['exposed-key-responder: HealthRisk', 'InHomeRegion'],
      ['exposed-key-responder: LegacyQuarantineInlinePolicy', 'InHomeRegion'],
      ['exposed-key-responder: QuarantinePolicyAttached', 'InHomeRegion'],
      ['exposed-key-responder: TrustedAdvisorExposedKeys', 'InHomeRegion'],
    ]);
    for (const r of rules) {
      expect(r.pattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
      expect(r.targets).toHaveLength(1);
      expect(r.targets[0].Arn).toEqual({ Ref: 'CentralEventBusArn' });
    }
    const backupRole = rules.find((r) => r.condition === 'InHealthBackupRegion')!.targets[0].RoleArn;
    expect(JSON.stringify(backupRole)).toContain(':role/exposed-key-responder-forwarder');
    expect(template.toJSON().Conditions).toEqual({
      InHomeRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      InHealthBackupRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-2'] },
    });
  });

  describe('when the central bus cannot be reached', () => {
    const queues = ofType('AWS::SQS::Queue');
    const queueOf = (condition: string) => queues.find(([, q]) => q.Condition === condition)![0];
    const rulesIn = (condition: string) => ofType('AWS::Events::Rule').filter(([, r]) => r.Condition === condition);

    it('gives every member rule, in each region, that region\'s dead-letter queue (an event-bus target takes no retry policy)', () => {
      expect(queues.map(([, q]) => q.Condition).sort()).toEqual(['InHealthBackupRegion', 'InHomeRegion']);
      for (const condition of ['InHomeRegion', 'InHealthBackupRegion']) {
        const rules = rulesIn(condition);
        expect(rules.length).toBeGreaterThan(0);
        for (const [, rule] of rules) {
          expect(rule.Properties.Targets).toHaveLength(1);
          expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueOf(condition), 'Arn'] } });
          expect(rule.Properties.Targets[0].RetryPolicy).toBeUndefined();
        }
      }
    });

    it('keeps dead letters encrypted for 14 days, and lets only the rules of its own region send to the queue', () => {
      for (const condition of ['InHomeRegion', 'InHealthBackupRegion']) {
        const queueId = queueOf(condition);
        expect(resources[queueId].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
        const [[, policy]] = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]));
        const statements = policy.Properties.PolicyDocument.Statement as Array<Statement & { Principal?: unknown }>;
        const allows = statements.filter((s) => s.Effect === 'Allow');
        expect(allows.map((s) => s.Principal)).toEqual(allows.map(() => ({ Service: 'events.amazonaws.com' })));
        expect(allows.map((s) => s.Action)).toEqual(allows.map(() => 'sqs:SendMessage'));
        const senders = allows.map((s) => (s.Condition as { ArnEquals: Record<string, { 'Fn::GetAtt': [string, string] }> }).ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]);
        expect(senders.sort()).toEqual(rulesIn(condition).map(([id]) => id).sort());
        expect(statements.filter((s) => s.Effect === 'Deny').map((s) => s.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);
      }
    });

    it('alarms on any dead letter, and forwards that alarm (ALARM only) from this account to the central bus', () => {
      for (const condition of ['InHomeRegion', 'InHealthBackupRegion']) {
        const [[alarmId, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Condition === condition);
        expect(alarm.Properties).toMatchObject({
          AlarmName: 'exposed-key-responder-forwarding-failed',
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueOf(condition), 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        const [[, rule]] = rulesIn(condition).filter(([, r]) => r.Properties.EventPattern.source[0] === 'aws.cloudwatch');
        expect(rule.Properties.EventPattern).toEqual({
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: ['exposed-key-responder-forwarding-failed'], state: { value: ['ALARM'] } },
        });
        expect(alarmId).toBeDefined();
        expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: 'CentralEventBusArn' });
      }
    });
  });

  it('makes every IAM resource in us-east-1 only (IAM is global: one copy per account)', () => {
    for (const [, r] of Object.entries(resources).filter(([, r]) => r.Type.startsWith('AWS::IAM::'))) expect(r.Condition).toBe('InHomeRegion');
  });

  it('may stop instances only when stopLaunchedInstances is true', () => {
    const stopping = memberApp({ stopLaunchedInstances: true }).template;
    const [id] = Object.entries(stopping.findResources('AWS::IAM::Role')).find(([, r]) => (r as Resource).Properties.RoleName === 'exposed-key-responder-member')!;
    expect(allowedActions(statementsOfRole(stopping, id))).toContain('ec2:StopInstances');
  });

  it('is cdk-nag clean (AwsSolutions), with every acknowledgement on the role that has the finding', () => {
    expect(() => app.synth()).not.toThrow();
    const pack = new AwsSolutionsChecks(app);
    expect(pack.validateScope(app).violations).toEqual([]);
  });
});
