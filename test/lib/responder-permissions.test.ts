import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../../lib/config-context';
import { ExposedKeyResponderStack } from '../../lib/exposed-key-responder-stack';
import { allowedActions, ANY_USER_ARN, findFunction, Resource, responderStack, statementsOfFunction, testApp } from './helpers';

const { template } = responderStack();
const [stateMachineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
const [quarantinePolicyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
const env = (t: Template, name: string) => findFunction(t, name)[1].Properties.Environment.Variables;
const userArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:user/${name}`]] });
const TAG_CONDITION = { StringEqualsIgnoreCase: { 'iam:ResourceTag/exposed-key-responder:protected': 'true' } };
const CONTAIN_CHANGES = ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy'];

function fromContext(context: Record<string, unknown>): Template {
  const app = testApp(context);
  return Template.fromStack(new ExposedKeyResponderStack(app, 'Responder', { env: { region: 'us-east-1' }, config: configFromContext(app) }));
}

describe('dispatcher', () => {
  it('gets the state machine, protected users, account, topic and quarantine window (24 h by default): no Slack function name', () => {
    expect(env(template, 'dispatcher')).toEqual({
      STATE_MACHINE_ARN: { Ref: stateMachineId },
      PROTECTED_USERS: '',
      ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      TOPIC_ARN: { Ref: topicId },
      QUARANTINE_WINDOW_HOURS: '24',
      DRY_RUN: 'false',
      PROTECTED_ROLES: '',
      POWERTOOLS_SERVICE_NAME: 'dispatcher',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('gets the account itself when it is known at synth, and -c quarantineWindowHours', () => {
    const t = responderStack({ quarantineWindowHours: 6 }, { region: 'us-east-1', account: '123456789012' }).template;
    expect(env(t, 'dispatcher')).toMatchObject({ ACCOUNT_ID: '123456789012', QUARANTINE_WINDOW_HOURS: '6' });
    expect(env(fromContext({ quarantineWindowHours: '48' }), 'dispatcher').QUARANTINE_WINDOW_HOURS).toBe('48');
  });

  it('reads key owners, key accounts and quarantines, starts executions, publishes (notices reach Slack through the topic), writes to the DLQ; invokes no Lambda and changes nothing in IAM', () => {
    const statements = statementsOfFunction(template, 'dispatcher');
    expect(allowedActions(statements)).toEqual([
      'cloudtrail:LookupEvents',
      'iam:GetAccessKeyLastUsed',
      'iam:GetAccountAuthorizationDetails',
      'iam:ListAccessKeys',
      'kms:Decrypt',
      'kms:GenerateDataKey*',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sns:Publish',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'states:StartExecution',
      'sts:GetAccessKeyInfo',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'], Resource: ANY_USER_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['iam:GetAccountAuthorizationDetails', 'sts:GetAccessKeyInfo', 'cloudtrail:LookupEvents'],
      Resource: '*',
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['states:StartExecution'], Resource: { Ref: stateMachineId } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['sns:Publish'], Resource: { Ref: topicId } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }));
  });
});

describe('dispatcher with GuardDuty findings (guardDutyMinSeverity)', () => {
  const iamArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:${resource}`]] });
  const TAGGED = { StringEqualsIgnoreCase: { 'iam:ResourceTag/exposed-key-responder:protected': 'true' } };

  it('may read roles and put the revoke on one, never on a service-linked, protected or tagged role; nothing more on users', () => {
    const { template: t } = responderStack({ guardDutyMinSeverity: 7, protectedRoles: ['OrgAdmin', '/breakglass/*'], dryRun: true });
    const statements = statementsOfFunction(t, 'dispatcher');

    expect(env(t, 'dispatcher')).toMatchObject({ DRY_RUN: 'true', PROTECTED_ROLES: 'OrgAdmin,/breakglass/*' });
    expect(allowedActions(statements).filter((a) => a.startsWith('iam:'))).toEqual([
      'iam:GetAccessKeyLastUsed', 'iam:GetAccountAuthorizationDetails', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAccessKeys', 'iam:PutRolePolicy',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetRolePolicy'], Resource: iamArn('role/*') }));
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: iamArn('role/*') }));
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      { Sid: 'NeverTouchServiceLinkedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: iamArn('role/aws-service-role/*') },
      { Sid: 'NeverTouchProtectedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: [iamArn('role/OrgAdmin'), iamArn('role/*/OrgAdmin'), iamArn('role/breakglass/*')] },
      { Sid: 'NeverTouchTaggedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: iamArn('role/*'), Condition: TAGGED },
    ]);
  });

  it('without guardDutyMinSeverity: no role permission at all', () => {
    expect(allowedActions(statementsOfFunction(template, 'dispatcher')).filter((a) => /Role/.test(a))).toEqual([]);
  });
});

describe('contain and verify', () => {
  it.each(['contain', 'verify'])('%s: DRY_RUN ("false" by default), QUARANTINE_POLICY_ARN and PROTECTED_USERS (empty by default); contain: DELETE_MEMBER_ROOT_KEYS "false"', (name) => {
    expect(env(template, name)).toEqual({
      DRY_RUN: 'false',
      QUARANTINE_POLICY_ARN: { Ref: quarantinePolicyId },
      PROTECTED_USERS: '',
      ...(name === 'contain' ? { DELETE_MEMBER_ROOT_KEYS: 'false' } : {}),
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it.each(['contain', 'verify', 'dispatcher'])('%s: -c protectedUsers reaches it comma-joined, names and path prefixes', (name) => {
    expect(env(fromContext({ protectedUsers: 'break-glass, /breakglass/*' }), name).PROTECTED_USERS).toBe('break-glass,/breakglass/*');
  });

  it('contain: deactivates keys, puts inline policies, reads the user, its keys and its policies, attaches the quarantine policy only; creates no policy', () => {
    const statements = statementsOfFunction(template, 'contain');
    expect(allowedActions(statements)).toEqual([
      'iam:AttachUserPolicy',
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:ListAccessKeys',
      'iam:ListAttachedUserPolicies',
      'iam:PutUserPolicy',
      'iam:UpdateAccessKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:UpdateAccessKey', 'iam:PutUserPolicy'], Resource: ANY_USER_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:GetUser', 'iam:GetUserPolicy', 'iam:ListAccessKeys', 'iam:ListAttachedUserPolicies'], Resource: ANY_USER_ARN }));
    const attach = statements.filter((s) => s.Effect === 'Allow' && s.Action.includes('iam:AttachUserPolicy'));
    expect(attach).toEqual([{
      Effect: 'Allow',
      Action: ['iam:AttachUserPolicy'],
      Resource: ANY_USER_ARN,
      Condition: { ArnEquals: { 'iam:PolicyARN': [{ Ref: quarantinePolicyId }] } },
    }]);
  });

  it('contain: without protected users, only the Deny on users tagged exposed-key-responder:protected=true (any case)', () => {
    expect(statementsOfFunction(template, 'contain').filter((s) => s.Effect === 'Deny')).toEqual([
      { Sid: 'NeverTouchTaggedUsers', Effect: 'Deny', Action: CONTAIN_CHANGES, Resource: ANY_USER_ARN, Condition: TAG_CONDITION },
    ]);
  });

  it('contain: each protected name (with or without a path) and path prefix gets an explicit Deny of every change', () => {
    const t = responderStack({ protectedUsers: ['break-glass', '/breakglass/*', '/org/security/*'] }).template;
    const deny = statementsOfFunction(t, 'contain').filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      {
        Sid: 'NeverTouchProtectedUsers',
        Effect: 'Deny',
        Action: CONTAIN_CHANGES,
        Resource: [userArn('break-glass'), userArn('*/break-glass'), userArn('breakglass/*'), userArn('org/security/*')],
      },
      { Sid: 'NeverTouchTaggedUsers', Effect: 'Deny', Action: CONTAIN_CHANGES, Resource: ANY_USER_ARN, Condition: TAG_CONDITION },
    ]);
  });

  it('verify: only reads the user, its keys and its policies', () => {
    const statements = statementsOfFunction(template, 'verify');
    expect(allowedActions(statements)).toEqual([
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:ListAccessKeys',
      'iam:ListAttachedUserPolicies',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Resource: ANY_USER_ARN }));
  });
});

describe('context that shapes the stack', () => {
  const reporter = 'arn:aws:iam::123456789012:role/security-reporter';

  it('-c reporters builds the report bus with one rule to the dispatcher, and outputs its name', () => {
    const t = fromContext({ reporters: reporter });
    t.resourceCountIs('AWS::Events::EventBus', 1);
    const [busId] = Object.keys(t.findResources('AWS::Events::EventBus'));
    const onBus = (Object.values(t.findResources('AWS::Events::Rule')) as Resource[]).filter((r) => r.Properties.EventBusName);
    expect(onBus).toHaveLength(1);
    expect(onBus[0].Properties.EventBusName).toEqual({ Ref: busId });
    expect(onBus[0].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [findFunction(t, 'dispatcher')[0], 'Arn'] });
    expect(t.toJSON().Outputs.ReportBusName).toEqual({ Value: { Ref: busId } });
  });

  it('without reporters: no report bus and no output for it', () => {
    expect(template.toJSON().Outputs.ReportBusName).toBeUndefined();
  });

  it('-c incidentReaders adds the Deny of reading records to everyone else', () => {
    const t = fromContext({ incidentReaders: reporter });
    const statements = (Object.values(t.findResources('AWS::S3::BucketPolicy')) as Resource[])
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Sid?: string }>);
    expect(statements.filter((s) => s.Sid === 'OnlyIncidentReadersReadRecords')).toHaveLength(1);
  });

  it.each([[{}, false], [{ logExecutionData: 'true' }, true]] as const)('with %p the workflow log carries execution data: %p', (context, included) => {
    fromContext(context).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { IncludeExecutionData: included, Level: 'ALL' },
    });
  });
});
