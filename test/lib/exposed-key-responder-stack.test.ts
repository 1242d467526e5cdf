import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { QUARANTINE_DENIED_ACTIONS } from '../../lambdas/shared/policies';
import { configFromContext, DEFAULT_CONFIG } from '../../lib/config';
import { ExposedKeyResponderStack } from '../../lib/exposed-key-responder-stack';
import {
  allowedActions,
  ANY_USER_ARN,
  findFunction,
  Resource,
  RESPONDER_POLICIES_ARN,
  responderStack,
  roleOf,
  statementsOfFunction,
  testApp,
} from './helpers';

const { template } = responderStack();
const ids = Object.fromEntries(
  ['dispatcher', 'contain', 'verify', 'notify'].map((n) => [n, findFunction(template, n)[0]]),
) as Record<'dispatcher' | 'contain' | 'verify' | 'notify', string>;
const [stateMachineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
const [quarantinePolicyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
const env = (t: Template, name: string) => findFunction(t, name)[1].Properties.Environment.Variables;

/** A stack built from CDK context, as `cdk synth -c key=value` would. */
function fromContext(context: Record<string, unknown>): Template {
  const app = testApp(context);
  return Template.fromStack(new ExposedKeyResponderStack(app, 'Responder', { env: { region: 'us-east-1' }, config: configFromContext(app) }));
}

describe('ExposedKeyResponderStack resources', () => {
  it('has the four Lambdas, one state machine, five rules, one topic, one DLQ, one quarantine policy', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Events::Rule', 5);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  it('defines the quarantine policy under /exposed-key-responder/ as one Deny of the high-risk actions on *', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Path: '/exposed-key-responder/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...QUARANTINE_DENIED_ACTIONS], Resource: '*' }],
      },
    });
  });

  it('makes the rules invoke the dispatcher', () => {
    for (const rule of Object.values(template.findResources('AWS::Events::Rule')) as Resource[]) {
      expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [ids.dispatcher, 'Arn'] });
    }
  });

  it('sends what the dispatcher rejects to the rules\' DLQ after 2 retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.dispatcher },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('wires the workflow to contain, verify and notify, never to the dispatcher', () => {
    const sm = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId] as Resource;
    expect(sm.Properties.DefinitionSubstitutions).toEqual({
      ContainFunctionArn: { 'Fn::GetAtt': [ids.contain, 'Arn'] },
      VerifyFunctionArn: { 'Fn::GetAtt': [ids.verify, 'Arn'] },
      NotifyFunctionArn: { 'Fn::GetAtt': [ids.notify, 'Arn'] },
    });
    const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
    expect(JSON.stringify(template.toJSON().Resources[roleId])).not.toContain(ids.dispatcher);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const smPolicies = policies.filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId));
    expect(JSON.stringify(smPolicies)).not.toContain(ids.dispatcher);
  });
});

describe('ExposedKeyResponderStack environment of the Lambdas (as the handlers read it)', () => {
  it('dispatcher: STATE_MACHINE_ARN and PROTECTED_USERS (empty by default)', () => {
    expect(env(template, 'dispatcher')).toEqual({
      STATE_MACHINE_ARN: { Ref: stateMachineId },
      PROTECTED_USERS: '',
      POWERTOOLS_SERVICE_NAME: 'dispatcher',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it.each(['contain', 'verify'])('%s: DRY_RUN ("false" by default) and QUARANTINE_POLICY_ARN', (name) => {
    expect(env(template, name)).toEqual({
      DRY_RUN: 'false',
      QUARANTINE_POLICY_ARN: { Ref: quarantinePolicyId },
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('notify: TOPIC_ARN', () => {
    expect(env(template, 'notify')).toEqual({
      TOPIC_ARN: { Ref: topicId },
      POWERTOOLS_SERVICE_NAME: 'notify',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('-c dryRun=true makes contain and verify dry runs', () => {
    const t = fromContext({ dryRun: 'true' });
    expect(env(t, 'contain').DRY_RUN).toBe('true');
    expect(env(t, 'verify').DRY_RUN).toBe('true');
  });

  it('-c protectedUsers=a,b reaches the dispatcher comma-joined', () => {
    expect(env(fromContext({ protectedUsers: 'break-glass, admin' }), 'dispatcher').PROTECTED_USERS).toBe('break-glass,admin');
  });

  it('-c logLevel and -c logRetentionDays reach every Lambda and log group', () => {
    const t = fromContext({ logLevel: 'DEBUG', logRetentionDays: '30' });
    for (const name of ['dispatcher', 'contain', 'verify', 'notify']) expect(env(t, name).POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(groups).toHaveLength(5);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it('-c notificationEmail=a,b subscribes each address to the topic', () => {
    const t = fromContext({ notificationEmail: 'sec@example.com,oncall@example.com' });
    const subs = Object.values(t.findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subs.map((s) => s.Properties.Endpoint).sort()).toEqual(['oncall@example.com', 'sec@example.com']);
    for (const s of subs) expect(s.Properties).toMatchObject({ Protocol: 'email', TopicArn: { Ref: Object.keys(t.findResources('AWS::SNS::Topic'))[0] } });
  });
});

describe('ExposedKeyResponderStack least privilege', () => {
  it('gives each Lambda a role of its own, without managed policies', () => {
    const roles = ['dispatcher', 'contain', 'verify', 'notify'].map((n) => roleOf(findFunction(template, n)[1]));
    expect(new Set(roles).size).toBe(4);
    for (const id of roles) expect((template.findResources('AWS::IAM::Role')[id] as Resource).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('never allows a wildcard action, nor deleting a key or a user, to any Lambda', () => {
    for (const name of ['dispatcher', 'contain', 'verify', 'notify']) {
      const actions = allowedActions(statementsOfFunction(template, name));
      // kms:GenerateDataKey* (notify, from topic.grantPublish) is the only wildcard, on one key.
      expect(actions.filter((a) => a.includes('*'))).toEqual(name === 'notify' ? ['kms:GenerateDataKey*'] : []);
      expect(actions).not.toContain('iam:DeleteAccessKey');
      expect(actions.some((a) => /^iam:Delete|^iam:\*|^\*$/.test(a))).toBe(false);
    }
  });

  it('dispatcher: reads key owners on users, the account\'s authorization details, starts executions, writes to the DLQ', () => {
    const statements = statementsOfFunction(template, 'dispatcher');
    expect(allowedActions(statements)).toEqual([
      'iam:GetAccessKeyLastUsed',
      'iam:GetAccountAuthorizationDetails',
      'iam:ListAccessKeys',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'states:StartExecution',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'], Resource: ANY_USER_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:GetAccountAuthorizationDetails'], Resource: '*' }));
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: ['states:StartExecution'], Resource: { Ref: stateMachineId } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }));
  });

  it('contain: deactivates keys and puts inline policies on users, attaches only our policies, creates only under our path', () => {
    const statements = statementsOfFunction(template, 'contain');
    expect(allowedActions(statements)).toEqual([
      'iam:AttachUserPolicy',
      'iam:CreatePolicy',
      'iam:PutUserPolicy',
      'iam:UpdateAccessKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:UpdateAccessKey', 'iam:PutUserPolicy'], Resource: ANY_USER_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:CreatePolicy'], Resource: RESPONDER_POLICIES_ARN }));
  });

  it('contain: every AttachUserPolicy is conditioned on the policy: our quarantine policy, or one under our path', () => {
    const attach = statementsOfFunction(template, 'contain').filter((s) => s.Action.includes('iam:AttachUserPolicy'));
    expect(attach).toHaveLength(2);
    for (const s of attach) {
      expect(s.Action).toEqual(['iam:AttachUserPolicy']);
      expect(s.Resource).toEqual(ANY_USER_ARN);
    }
    expect(attach.map((s) => s.Condition)).toEqual(expect.arrayContaining([
      { ArnEquals: { 'iam:PolicyARN': [{ Ref: quarantinePolicyId }] } },
      { ArnLike: { 'iam:PolicyARN': [RESPONDER_POLICIES_ARN] } },
    ]));
  });

  it('contain: no Deny statement when no user is protected', () => {
    expect(statementsOfFunction(template, 'contain').filter((s) => s.Effect === 'Deny')).toEqual([]);
  });

  it('contain: each protected user gets an explicit Deny of every containment action (with or without an IAM path)', () => {
    const t = responderStack({ protectedUsers: ['break-glass', 'admin'] }).template;
    const deny = statementsOfFunction(t, 'contain').filter((s) => s.Effect === 'Deny');
    const userArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:user/${name}`]] });
    expect(deny).toEqual([
      expect.objectContaining({
        Action: ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy'],
        Resource: [userArn('break-glass'), userArn('*/break-glass'), userArn('admin'), userArn('*/admin')],
      }),
    ]);
  });

  it('verify: only reads the user\'s keys and policies', () => {
    const statements = statementsOfFunction(template, 'verify');
    expect(allowedActions(statements)).toEqual([
      'iam:GetUserPolicy',
      'iam:ListAccessKeys',
      'iam:ListAttachedUserPolicies',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Resource: ANY_USER_ARN }));
  });

  it('notify: publishes to the topic, with the topic\'s key only', () => {
    const statements = statementsOfFunction(template, 'notify');
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(allowedActions(statements)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sns:Publish']);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['sns:Publish'], Resource: { Ref: topicId } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
  });

  it('uses the real account in ARNs when it is known', () => {
    const t = responderStack({}, { region: 'us-east-1', account: '123456789012' }).template;
    const statements = statementsOfFunction(t, 'verify');
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:user/*']] },
    }));
  });
});

describe('ExposedKeyResponderStack region', () => {
  it('is an error outside us-east-1, where the IAM, STS and Trusted Advisor events never arrive', () => {
    const { stack } = responderStack(DEFAULT_CONFIG, { region: 'eu-west-1' });
    Annotations.fromStack(stack).hasError('/Responder', Match.stringLikeRegexp('must be deployed in us-east-1, not eu-west-1'));
  });

  it('is fine in us-east-1', () => {
    const { stack } = responderStack();
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  it('is not checked when the region is only known at deployment (environment-agnostic stack)', () => {
    const app = testApp();
    const stack = new ExposedKeyResponderStack(app, 'Agnostic', { config: DEFAULT_CONFIG });
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});
