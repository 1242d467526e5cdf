import { readFileSync } from 'node:fs';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { INVESTIGATE_READ_ACTIONS } from '../../lambdas/investigate/contract';
import { LAMBDA_NAMES, LambdaName } from '../../lib/bundling';
import { EXPECTED_QUARANTINE_DOCUMENT } from '../lambdas/quarantine-literals';
import { DEFAULT_CONFIG } from '../../lib/config';
import { configFromContext } from '../../lib/config-context';
import { ExposedKeyResponderStack, SUPPORT_CASE_ACTIONS } from '../../lib/exposed-key-responder-stack';
import { DEFAULT_DEFINITION_PATH, FUNCTION_PLACEHOLDERS, FunctionPlaceholder, placeholdersOf } from '../../lib/response-workflow';
import {
  allowedActions,
  ANY_USER_ARN,
  findFunction,
  Resource,
  responderStack,
  roleOf,
  Statement,
  statementsOfFunction,
  statementsOfRole,
  testApp,
} from './helpers';

const { template } = responderStack();
const ids = Object.fromEntries(LAMBDA_NAMES.map((n) => [n, findFunction(template, n)[0]])) as Record<LambdaName, string>;
const [stateMachineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
/** The incident bucket: the bucket with server access logging (the other one receives its logs). */
const [incidentBucketId] = Object.entries(template.findResources('AWS::S3::Bucket'))
  .filter(([, b]) => (b as Resource).Properties.LoggingConfiguration)
  .map(([id]) => id);
const incidentRecordsArn = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [incidentBucketId, 'Arn'] }, '/incidents/*']] };
/** `arn:<partition>:<service>:<region>:<account>:<resource>` as CDK renders it with an unresolved account. */
const arnOf = (service: string, region: string, account: 'this' | 'aws' | '', resource: string) => ({
  'Fn::Join': ['', [
    'arn:', { Ref: 'AWS::Partition' },
    ...(account === 'this' ? [`:${service}:${region}:`, { Ref: 'AWS::AccountId' }, `:${resource}`] : [`:${service}:${region}:${account}:${resource}`]),
  ]],
});
const PUT_RECORD_ACTIONS = ['s3:PutObject'];
/** The Lambda names the workflow definition references, by placeholder. */
// The Lambdas the definition references (its other placeholders are values, such as the second look's seconds).
const aslPlaceholders = placeholdersOf(readFileSync(DEFAULT_DEFINITION_PATH, 'utf8')).filter((p) => Object.hasOwn(FUNCTION_PLACEHOLDERS, p)) as FunctionPlaceholder[];
const lambdaOf = (p: FunctionPlaceholder) => FUNCTION_PLACEHOLDERS[p].replace(/Function$/, '') as LambdaName;
const allStatements = (t: Template) => Object.values(t.findResources('AWS::IAM::Policy'))
  .flatMap((p) => (p as Resource).Properties.PolicyDocument.Statement as Statement[])
  .map((st) => ({ ...st, Action: ([] as string[]).concat(st.Action) }));
const env = (t: Template, name: string) => findFunction(t, name)[1].Properties.Environment.Variables;
const SLACK_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack/exposed-key-responder-AbC123';

/** A stack built from CDK context, as `cdk synth -c key=value` would. */
function fromContext(context: Record<string, unknown>): Template {
  const app = testApp(context);
  return Template.fromStack(new ExposedKeyResponderStack(app, 'Responder', { env: { region: 'us-east-1' }, config: configFromContext(app) }));
}

describe('ExposedKeyResponderStack resources', () => {
  it('has the eleven Lambdas, one state machine, four rules, one topic, one DLQ, one quarantine policy, two buckets, six alarms (five failure alarms, time to contain), one dashboard, no report bus', () => {
    template.resourceCountIs('AWS::Lambda::Function', 11);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Events::Rule', 4);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  it('defines the quarantine policy under /exposed-key-responder/ with the shared quarantine document, as it is', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Path: '/exposed-key-responder/', PolicyDocument: EXPECTED_QUARANTINE_DOCUMENT });
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

  it('wires the workflow to the Lambdas its definition references, never to the dispatcher', () => {
    const sm = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId] as Resource;
    expect(aslPlaceholders).toEqual(expect.arrayContaining(['ContainFunctionArn', 'VerifyFunctionArn', 'NotifyFunctionArn']));
    expect(sm.Properties.DefinitionSubstitutions).toEqual({
      ...Object.fromEntries(aslPlaceholders.map((p) => [p, { 'Fn::GetAtt': [ids[lambdaOf(p)], 'Arn'] }])),
      // secondLookMinutes (default 20), in seconds.
      SecondLookSeconds: '1200',
    });
    const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
    expect(JSON.stringify(template.toJSON().Resources[roleId])).not.toContain(ids.dispatcher);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const smPolicies = policies.filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId));
    expect(JSON.stringify(smPolicies)).not.toContain(ids.dispatcher);
  });
});

describe('ExposedKeyResponderStack second look', () => {
  it('waits secondLookMinutes before the second look: the definition gets it in seconds', () => {
    const { template: t } = responderStack({ secondLookMinutes: 45 });
    const [sm] = Object.values(t.findResources('AWS::StepFunctions::StateMachine')) as Resource[];
    expect(sm.Properties.DefinitionSubstitutions.SecondLookSeconds).toBe('2700');
  });
});

describe('ExposedKeyResponderStack incident bucket', () => {
  const buckets = template.findResources('AWS::S3::Bucket') as Record<string, Resource>;

  it('keeps incident records in a versioned, encrypted, private, retained bucket that logs its access to the other bucket', () => {
    const bucket = buckets[incidentBucketId];
    const [logsId] = Object.keys(buckets).filter((id) => id !== incidentBucketId);
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId } },
    });
    for (const b of Object.values(buckets)) expect(b.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: incidentBucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('has no Object Lock by default', () => {
    for (const b of Object.values(buckets)) expect(b.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  it('-c incidentRetentionDays=N locks each incident record for N days (GOVERNANCE)', () => {
    const t = fromContext({ incidentRetentionDays: '365' });
    const locked = Object.values(t.findResources('AWS::S3::Bucket')).filter((b) => (b as Resource).Properties.ObjectLockEnabled) as Resource[];
    expect(locked).toHaveLength(1);
    expect(locked[0].Properties.LoggingConfiguration).toBeDefined();
    expect(locked[0].Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
    });
  });

  it('outputs the incident bucket\'s name', () => {
    expect(template.toJSON().Outputs.IncidentBucketName).toEqual({ Value: { Ref: incidentBucketId } });
  });
});

describe('ExposedKeyResponderStack environment of the Lambdas (as the handlers read it)', () => {
  it('investigate: INCIDENT_BUCKET, LOOKBACK_DAYS (14 by default) and DRY_RUN', () => {
    expect(env(template, 'investigate')).toEqual({
      INCIDENT_BUCKET: { Ref: incidentBucketId },
      LOOKBACK_DAYS: '14',
      DRY_RUN: 'false',
      POWERTOOLS_SERVICE_NAME: 'investigate',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('evidence: DRY_RUN', () => {
    expect(env(template, 'evidence')).toEqual({
      DRY_RUN: 'false',
      POWERTOOLS_SERVICE_NAME: 'evidence',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('report: INCIDENT_BUCKET', () => {
    expect(env(template, 'report')).toEqual({
      INCIDENT_BUCKET: { Ref: incidentBucketId },
      POWERTOOLS_SERVICE_NAME: 'report',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('gives investigate 5 minutes (CloudTrail in every region at 2 requests/s), evidence 2 minutes, report the default 30 s', () => {
    expect(findFunction(template, 'investigate')[1].Properties.Timeout).toBe(300);
    expect(findFunction(template, 'evidence')[1].Properties.Timeout).toBe(120);
    expect(findFunction(template, 'report')[1].Properties.Timeout).toBe(30);
  });

  it('support: SUPPORT_SEVERITY ("high" by default) and DRY_RUN', () => {
    expect(env(template, 'support')).toEqual({
      SUPPORT_SEVERITY: 'high',
      DRY_RUN: 'false',
      POWERTOOLS_SERVICE_NAME: 'support',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('slack: SLACK_WEBHOOK_SECRET, empty when no secret is configured (the Lambda reports Slack not configured)', () => {
    expect(env(template, 'slack')).toEqual({
      SLACK_WEBHOOK_SECRET: '',
      POWERTOOLS_SERVICE_NAME: 'slack',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('gives support 60 s (it looks for the incident\'s case before opening one) and slack 15 s (one secret read, one POST)', () => {
    expect(findFunction(template, 'support')[1].Properties.Timeout).toBe(60);
    expect(findFunction(template, 'slack')[1].Properties.Timeout).toBe(15);
  });

  it('notify: TOPIC_ARN', () => {
    expect(env(template, 'notify')).toEqual({
      TOPIC_ARN: { Ref: topicId },
      POWERTOOLS_SERVICE_NAME: 'notify',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('-c dryRun=true makes contain, verify, investigate, evidence and support dry runs', () => {
    const t = fromContext({ dryRun: 'true' });
    for (const name of ['contain', 'verify', 'investigate', 'evidence', 'support']) expect(env(t, name).DRY_RUN).toBe('true');
  });

  it('-c supportSeverity reaches the support Lambda', () => {
    expect(env(fromContext({ supportSeverity: 'urgent' }), 'support').SUPPORT_SEVERITY).toBe('urgent');
  });

  it('-c slackWebhookSecret=<complete ARN> gives the slack Lambda that ARN', () => {
    expect(env(fromContext({ slackWebhookSecret: SLACK_SECRET_ARN }), 'slack').SLACK_WEBHOOK_SECRET).toBe(SLACK_SECRET_ARN);
  });

  it('-c slackWebhookSecret=<name> gives the slack Lambda the secret\'s ARN in this account and region (without the suffix)', () => {
    expect(env(fromContext({ slackWebhookSecret: 'slack/exposed-key-responder' }), 'slack').SLACK_WEBHOOK_SECRET).toEqual(
      arnOf('secretsmanager', 'us-east-1', 'this', 'secret:slack/exposed-key-responder'),
    );
  });

  it('-c slackWebhookSecret subscribes the slack Lambda to the topic, for the dispatcher\'s notices only (filter policy), and lets this topic only invoke it', () => {
    const t = fromContext({ slackWebhookSecret: SLACK_SECRET_ARN });
    const [topic] = Object.keys(t.findResources('AWS::SNS::Topic'));
    const [slack] = findFunction(t, 'slack');

    const subscriptions = Object.values(t.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } })).map((r) => (r as Resource).Properties);
    expect(subscriptions).toEqual([
      {
        Protocol: 'lambda',
        TopicArn: { Ref: topic },
        Endpoint: { 'Fn::GetAtt': [slack, 'Arn'] },
        FilterPolicy: { 'exposed-key-responder.kind': ['notice'] },
      },
    ]);
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'sns.amazonaws.com' } })).map((r) => (r as Resource).Properties);
    expect(permissions).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [slack, 'Arn'] }, Principal: 'sns.amazonaws.com', SourceArn: { Ref: topic } }]);
  });

  it('subscribes nothing but email to the topic when no Slack webhook secret is configured (no Slack, nothing to post)', () => {
    expect(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } })).toEqual({});
    expect(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'sns.amazonaws.com' } })).toEqual({});
  });

  it('-c lookbackDays reaches the investigation', () => {
    expect(env(fromContext({ lookbackDays: '90' }), 'investigate').LOOKBACK_DAYS).toBe('90');
  });

  it('-c protectedUsers=a,b reaches the dispatcher comma-joined', () => {
    expect(env(fromContext({ protectedUsers: 'break-glass, admin' }), 'dispatcher').PROTECTED_USERS).toBe('break-glass,admin');
  });

  it('-c logLevel and -c logRetentionDays reach every Lambda and log group', () => {
    const t = fromContext({ logLevel: 'DEBUG', logRetentionDays: '30' });
    for (const name of LAMBDA_NAMES) expect(env(t, name).POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(groups).toHaveLength(LAMBDA_NAMES.length + 1);
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
    const roles = LAMBDA_NAMES.map((n) => roleOf(findFunction(template, n)[1]));
    expect(new Set(roles).size).toBe(LAMBDA_NAMES.length);
    for (const id of roles) expect((template.findResources('AWS::IAM::Role')[id] as Resource).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('never allows a wildcard action, nor deleting a key or a user (only footholds deletes a console password), to any Lambda', () => {
    const wildcards: Partial<Record<LambdaName, string[]>> = {
      // From topic.grantPublish, on the topic's key only.
      notify: ['kms:GenerateDataKey*'],
      dispatcher: ['kms:GenerateDataKey*'],
    };
    for (const name of LAMBDA_NAMES) {
      const actions = allowedActions(statementsOfFunction(template, name));
      expect(actions.filter((a) => a.includes('*'))).toEqual(wildcards[name] ?? []);
      expect(actions).not.toContain('iam:DeleteAccessKey');
      // An attacker's console password is never legitimate: footholds deletes it, and nothing else.
      const deletes = name === 'footholds' ? actions.filter((a) => a !== 'iam:DeleteLoginProfile') : actions;
      expect(deletes.some((a) => /^iam:Delete|^iam:\*|^\*$/.test(a))).toBe(false);
    }
  });

  it('support: only describes, opens and adds to AWS Support cases (on "*": the Support API has no resource-level permission)', () => {
    const statements = statementsOfFunction(template, 'support');
    expect(allowedActions(statements)).toEqual([...SUPPORT_CASE_ACTIONS, 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
    expect(statements.filter((st) => st.Action.some((a) => a.startsWith('support:')))).toEqual([{
      Sid: 'OpenIncidentSupportCase',
      Effect: 'Allow',
      Action: ['support:DescribeCases', 'support:DescribeCommunications', 'support:CreateCase', 'support:AddCommunicationToCase'],
      Resource: '*',
    }]);
    // No other role may touch a support case.
    const others = allStatements(template).filter((st) => st.Action.some((a) => a.startsWith('support:')));
    expect(others).toHaveLength(1);
  });

  it('slack: may only write its logs when no webhook secret is configured, and no role may read any secret', () => {
    expect(allowedActions(statementsOfFunction(template, 'slack'))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(allowedActions(allStatements(template)).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it.each([
    ['a complete ARN', SLACK_SECRET_ARN, SLACK_SECRET_ARN],
    ['a name', 'slack/exposed-key-responder', arnOf('secretsmanager', 'us-east-1', 'this', 'secret:slack/exposed-key-responder-??????')],
  ])('slack: with the secret given by %s, its role alone may read that secret (and only that one)', (_how, secret, resource) => {
    const t = fromContext({ slackWebhookSecret: secret });
    const slackRole = roleOf(findFunction(t, 'slack')[1]);
    expect(allowedActions(statementsOfRole(t, slackRole))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(statementsOfRole(t, slackRole).filter((st) => st.Action.some((a) => a.startsWith('secretsmanager:')))).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: resource },
    ]);
    // No other role of the stack may read it, nor any secret.
    const readers = Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'))
      .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
    expect(readers).toEqual([slackRole]);
    expect(JSON.stringify(t.toJSON())).not.toContain('hooks.slack.com');
  });

  it('never puts a Slack webhook URL in the template, with or without a secret', () => {
    for (const t of [template, fromContext({ slackWebhookSecret: SLACK_SECRET_ARN }), fromContext({ slackWebhookSecret: 'slack/exposed-key-responder' })]) {
      expect(JSON.stringify(t.toJSON())).not.toMatch(/hooks\.slack\.com|https:\/\/hooks/);
    }
  });

  it('notify: publishes to the topic, with the topic\'s key only', () => {
    const statements = statementsOfFunction(template, 'notify');
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(allowedActions(statements)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sns:Publish']);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['sns:Publish'], Resource: { Ref: topicId } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
  });

  it('never allows deleting or terminating anything of EC2 or S3, nor bypassing Object Lock, to any role of the stack', () => {
    const actions = allowedActions(allStatements(template));
    expect(actions.filter((a) => /^ec2:(Delete|Terminate|Stop|Modify)|^s3:(Delete|PutBucket|PutLifecycle|BypassGovernance)|^s3:\*|^ec2:\*/.test(a))).toEqual([]);
    for (const a of ['ec2:DeleteSnapshot', 'ec2:TerminateInstances', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention']) {
      expect(actions).not.toContain(a);
    }
  });

  it('investigate: only reads (CloudTrail, regions, the user, its groups and policies, simulations), writes records, and shares a wave\'s CloudTrail search', () => {
    const statements = statementsOfFunction(template, 'investigate');
    expect(allowedActions(statements)).toEqual([
      ...PUT_RECORD_ACTIONS,
      'cloudtrail:LookupEvents',
      'ec2:DescribeRegions',
      'iam:GetGroupPolicy',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:ListAttachedGroupPolicies',
      'iam:ListAttachedUserPolicies',
      'iam:ListGroupPolicies',
      'iam:ListGroupsForUser',
      'iam:ListUserPolicies',
      'iam:SimulateCustomPolicy',
      'iam:SimulatePrincipalPolicy',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
    ].sort());
    // Read-only apart from the records: every other action reads or simulates.
    const writes = allowedActions(statements).filter((a) => !/^[a-z0-9]+:(Get|List|Describe|Lookup|Simulate)/.test(a));
    expect(writes).toEqual([...PUT_RECORD_ACTIONS, 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['cloudtrail:LookupEvents', 'ec2:DescribeRegions'], Resource: '*' }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['iam:SimulateCustomPolicy'], Resource: '*' }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['iam:GetUser', 'iam:ListAttachedUserPolicies', 'iam:ListUserPolicies', 'iam:GetUserPolicy', 'iam:ListGroupsForUser', 'iam:SimulatePrincipalPolicy'],
      Resource: ANY_USER_ARN,
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy'],
      Resource: arnOf('iam', '', 'this', 'group/*'),
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      Resource: [arnOf('iam', '', 'this', 'policy/*'), arnOf('iam', '', 'aws', 'policy/*')],
    }));
    expect(statements.filter((st) => st.Action.some((a) => a.startsWith('s3:')))).toEqual([
      { Effect: 'Allow', Action: PUT_RECORD_ACTIONS, Resource: incidentRecordsArn },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [incidentBucketId, 'Arn'] }, '/shared-searches/*']] } },
    ]);
  });

  it('investigate: is allowed every action its handler\'s contract lists', () => {
    const actions = allowedActions(statementsOfFunction(template, 'investigate'));
    for (const a of INVESTIGATE_READ_ACTIONS) expect(actions).toContain(a);
  });

  it('evidence: describes instances and snapshots, snapshots the volumes of instances in any region, tags only while snapshotting, reads prices', () => {
    const statements = statementsOfFunction(template, 'evidence');
    expect(allowedActions(statements)).toEqual([
      'ec2:CreateSnapshots',
      'ec2:CreateTags',
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'pricing:GetProducts',
    ]);
    const snapshots = arnOf('ec2', '*', '', 'snapshot/*');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'], Resource: '*' }));
    const create = statements.filter((st) => st.Action.includes('ec2:CreateSnapshots'));
    expect(create).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: ['ec2:CreateSnapshots'],
      Resource: [arnOf('ec2', '*', 'this', 'instance/*'), arnOf('ec2', '*', 'this', 'volume/*'), snapshots],
    })]);
    expect(create[0].Condition).toBeUndefined();
    const tag = statements.filter((st) => st.Action.includes('ec2:CreateTags'));
    expect(tag).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: snapshots,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    })]);
  });

  it('report: only writes records under incidents/ of the incident bucket', () => {
    const statements = statementsOfFunction(template, 'report');
    expect(allowedActions(statements)).toEqual([...PUT_RECORD_ACTIONS, 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
    expect(statements.filter((st) => st.Action.some((a) => a.startsWith('s3:')))).toEqual([
      { Effect: 'Allow', Action: PUT_RECORD_ACTIONS, Resource: incidentRecordsArn },
    ]);
  });

  it('the incident bucket is written by investigate and report only, and read by investigate only, under shared-searches/ only', () => {
    const s3 = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
      const policy = p as Resource;
      return (policy.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => JSON.stringify(st.Resource).includes(incidentBucketId))
        .map(() => policy.Properties.Roles.map((r: { Ref: string }) => r.Ref))
        .flat();
    });
    const investigateRole = roleOf(findFunction(template, 'investigate')[1]);
    expect([...new Set(s3)].sort()).toEqual([investigateRole, roleOf(findFunction(template, 'report')[1])].sort());
    const onBucket = allStatements(template).filter((st) => JSON.stringify(st.Resource).includes(incidentBucketId));
    expect(allowedActions(onBucket.filter((st) => JSON.stringify(st.Resource) === JSON.stringify(incidentRecordsArn)))).toEqual([...PUT_RECORD_ACTIONS].sort());
    const reads = onBucket.filter((st) => st.Action.some((a) => a.startsWith('s3:Get')));
    expect(reads).toEqual([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [incidentBucketId, 'Arn'] }, '/shared-searches/*']] } }]);
  });

  it('the state machine may invoke the Lambdas of its definition only', () => {
    const sm = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId] as Resource;
    const invoke = statementsOfRole(template, sm.Properties.RoleArn['Fn::GetAtt'][0]).filter((st) => st.Action.includes('lambda:InvokeFunction'));
    const invoked = new Set(JSON.stringify(invoke).match(/"(\w+)","Arn"/g)!.map((m) => m.split('"')[1]));
    expect([...invoked].sort()).toEqual(aslPlaceholders.map((p) => ids[lambdaOf(p)]).sort());
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

  it('is an error for a Slack webhook secret in another region, which the slack Lambda (reading in its own region) cannot reach', () => {
    const app = testApp({ slackWebhookSecret: SLACK_SECRET_ARN.replace('us-east-1', 'eu-west-1') });
    const stack = new ExposedKeyResponderStack(app, 'Responder', { env: { region: 'us-east-1' }, config: configFromContext(app) });
    Annotations.fromStack(stack).hasError('/Responder', Match.stringLikeRegexp('Slack webhook secret must be in us-east-1, .*not eu-west-1'));
    const sameRegion = testApp({ slackWebhookSecret: SLACK_SECRET_ARN });
    const fine = new ExposedKeyResponderStack(sameRegion, 'Responder', { env: { region: 'us-east-1' }, config: configFromContext(sameRegion) });
    Annotations.fromStack(fine).hasNoError('*', Match.anyValue());
  });

  it('is not checked when the region is only known at deployment (environment-agnostic stack)', () => {
    const app = testApp();
    const stack = new ExposedKeyResponderStack(app, 'Agnostic', { config: DEFAULT_CONFIG });
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});

describe('ExposedKeyResponderStack failure alarms', () => {
  // The failure alarms; the time-to-contain alarm (test/lib/time-to-contain-alarm.test.ts) is on the responder's own metric.
  const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]).filter((a) => a.Properties.Namespace !== 'ExposedKeyResponder');
  const byMetric = (namespace: string, metric: string) => alarms.filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);

  it('alarm on the workflow\'s failed, timed-out and aborted executions', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      const [alarm, ...more] = byMetric('AWS/States', metric);
      expect(more).toEqual([]);
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }]);
    }
  });

  it('alarm on a message in the rules\' dead-letter queue', () => {
    const [alarm, ...more] = byMetric('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
    expect(more).toEqual([]);
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
  });

  it('alarm on the dispatcher\'s errors only: the step Lambdas\' errors are caught by the workflow, which then fails', () => {
    const errors = byMetric('AWS/Lambda', 'Errors');
    expect(errors.map((a) => a.Properties.Dimensions)).toEqual([[{ Name: 'FunctionName', Value: { Ref: ids.dispatcher } }]]);
  });

  it('fire at the first failure, and tell the notification topic', () => {
    expect(alarms).toHaveLength(5);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 60,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it('can reach the encrypted topic: CloudWatch may publish to it and use its key', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Resource[];
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    }));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
  });
});
