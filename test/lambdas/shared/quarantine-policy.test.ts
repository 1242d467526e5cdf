import {
  actionMatches,
  COMPACT_QUARANTINE_ACTIONS,
  compactQuarantinePolicy,
  QUARANTINE_DENIED_ACTIONS,
  QUARANTINE_POLICY_STATEMENTS,
  quarantinePolicyDocument,
} from '../../../lambdas/shared/policies';
import { readPolicy } from '../helpers';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

const statements = () => quarantinePolicyDocument().Statement as unknown as Statement[];
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
/** The patterns the managed quarantine denies on every resource, whatever the request. */
const unconditional = () => statements().filter((s) => s.Effect === 'Deny' && s.Condition === undefined).flatMap((s) => list(s.Action));
const deniedAlways = (action: string) => unconditional().some((p) => actionMatches(p, action));

describe('IAM action wildcards', () => {
  it.each([
    ['s3:Delete*', 's3:DeleteObject', true],
    ['s3:Delete*', 's3:deleteobjectversion', true],
    ['s3:Delete*', 's3:PutObject', false],
    ['ec2:*ReservedInstances*', 'ec2:PurchaseReservedInstancesOffering', true],
    ['iam:Get?ser', 'iam:GetUser', true],
    ['iam:Get?ser', 'iam:GetUsser', false],
    ['s3:Get.bject', 's3:GetXbject', false],
    ['*', 'anything:AtAll', true],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it.each([
    ['lambda:*', 'lambda:Create*', true],
    ['lambda:Create*', 'lambda:*', false],
    ['lambda:Create?', 'lambda:Create*', false],
    ['s3:PutBucket*', 's3:PutBucketPolicy', true],
    ['states:DeleteStateMachine*', 'states:DeleteStateMachine', true],
  ])('%s covers %s: %s', (general, specific, expected) => {
    expect(actionMatches(general, specific)).toBe(expected);
  });
});

describe('the managed quarantine policy', () => {
  it.each(['AWSCompromisedKeyQuarantine.json', 'AWSCompromisedKeyQuarantineV2.json', 'AWSCompromisedKeyQuarantineV3.json'])(
    'denies, on every resource, every action AWS denies in %s (the floor)',
    (file) => {
      const awsDenied = (readPolicy(file).PolicyVersion.Document.Statement as Statement[]).filter((s) => s.Effect === 'Deny').flatMap((s) => list(s.Action));

      expect(awsDenied.length).toBeGreaterThan(20);
      expect(awsDenied.filter((a) => !deniedAlways(a))).toEqual([]);
    },
  );

  it.each([
    's3:GetObjectVersion', 's3:ListBucketVersions', 's3:PutReplicationConfiguration', 's3:PutBucketVersioning',
    's3:PutBucketObjectLockConfiguration', 's3:PutObjectRetention', 's3:BypassGovernanceRetention',
    'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'rds:ModifyDBSnapshotAttribute', 'rds:ModifyDBClusterSnapshotAttribute',
    'ssm:SendCommand', 'ssm:StartSession', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath',
    'secretsmanager:GetSecretValue', 'lambda:InvokeFunction', 'codebuild:StartBuild', 'ses:SendEmail', 'ses:SendRawEmail',
    'iam:CreateServiceSpecificCredential', 'organizations:LeaveOrganization', 'account:PutAlternateContact', 'account:CloseAccount',
    'sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'cloudtrail:StopLogging',
  ])('denies %s on every resource', (action) => {
    expect(deniedAlways(action)).toBe(true);
  });

  it.each([
    'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
    'states:StopExecution', 'states:DeleteStateMachine', 'states:UpdateStateMachine', 'sns:Unsubscribe', 'sns:DeleteTopic',
    'sns:SetTopicAttributes', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:DeleteFunction',
    'lambda:PutFunctionConcurrency', 's3:PutBucketPolicy', 's3:PutLifecycleConfiguration', 's3:DeleteBucket', 'kms:DisableKey',
    'kms:ScheduleKeyDeletion', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions',
  ])('denies tampering with the responder: %s, on Resource "*" (naming the stack\'s resources would be a cycle)', (action) => {
    expect(deniedAlways(action)).toBe(true);
  });

  it('denies uploads that bring their own encryption key (SSE-C), and only those', () => {
    expect(statements()).toContainEqual({
      Sid: 'DenyUploadsWithCustomerKeys',
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: '*',
      Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
    });
    expect(deniedAlways('s3:PutObject')).toBe(false);
  });

  it('grants nothing and names no resource: every statement is a Deny on "*"', () => {
    expect(statements().map((s) => [s.Effect, s.Resource])).toEqual([['Deny', '*'], ['Deny', '*'], ['Deny', '*']]);
  });

  it('is never weaker than the compact inline fallback: each compact pattern is covered by one of its own', () => {
    const compact = compactQuarantinePolicy().Statement.flatMap((s) => list(s.Action as string | string[]));

    expect(compact).toEqual(expect.arrayContaining(['iam:*', 'sts:AssumeRole*', 'lightsail:*', 'cloudtrail:*', 's3:Delete*']));
    expect(compact.filter((q) => !unconditional().some((p) => actionMatches(p, q)))).toEqual([]);
  });

  it('fits IAM\'s quotas as IAM counts them (white space excluded): 6,144 for the managed policy, 2,048 for the inline fallback', () => {
    const managed = JSON.stringify(quarantinePolicyDocument(), null, 2).replace(/\s/g, '').length;
    const inline = JSON.stringify(compactQuarantinePolicy(), null, 2).replace(/\s/g, '').length;

    expect(managed).toBeLessThanOrEqual(6144);
    expect(inline).toBeLessThanOrEqual(2048);
  });

  it('lists each action once, and QUARANTINE_DENIED_ACTIONS is exactly its unconditional denies', () => {
    expect(new Set(QUARANTINE_DENIED_ACTIONS).size).toBe(QUARANTINE_DENIED_ACTIONS.length);
    expect([...QUARANTINE_DENIED_ACTIONS].sort()).toEqual(unconditional().sort());
    expect(QUARANTINE_POLICY_STATEMENTS.map((s) => s.Sid)).toEqual(['DenyHighRiskActions', 'DenyResponderTampering', 'DenyUploadsWithCustomerKeys']);
    expect(COMPACT_QUARANTINE_ACTIONS.length).toBeGreaterThan(0);
  });
});
