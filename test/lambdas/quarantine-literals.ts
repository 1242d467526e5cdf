// The deny documents as the design spells them out, written literally: the tests compare what the
// code produces with these, never with the code's own constants (a deleted or changed action must
// fail a test). AWS's own list comes from the published policy (test/fixtures/aws/policies).
import { readPolicy } from './helpers';

/** AWSCompromisedKeyQuarantineV3's denied actions, as AWS publishes them (89, in AWS's order). */
export const AWS_QUARANTINE_V3: string[] = readPolicy('AWSCompromisedKeyQuarantineV3.json').PolicyVersion.Document.Statement[0].Action;

/** Ours on top of AWS's list: what AWS leaves open. */
export const OUR_HIGH_RISK_ACTIONS = [
  'iam:*', 'sts:AssumeRole*', 'account:*', 'organizations:*', 'lightsail:*', 'bedrock:*', 'ses:*', 'cloudtrail:*',
  'guardduty:Delete*', 'guardduty:Update*', 'config:Stop*', 'config:Delete*',
  'ec2:*ReservedInstances*', 'ec2:CreateKeyPair', 'ec2:ImportKeyPair', 'ec2:AuthorizeSecurityGroupIngress',
  'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'ec2:DisableSnapshotBlockPublicAccess',
  'ec2:DisableImageBlockPublicAccess', 'ebs:GetSnapshotBlock', 'rds:ModifyDBSnapshotAttribute',
  'rds:ModifyDBClusterSnapshotAttribute', 'lambda:Create*', 'lambda:Update*', 'lambda:Add*', 'lambda:InvokeFunction',
  's3:Delete*', 's3:PutBucket*', 's3:GetObjectVersion', 's3:ListBucketVersions', 's3:PutReplicationConfiguration',
  's3:PutObjectAcl', 's3:PutObjectRetention', 's3:BypassGovernanceRetention', 'ssm:SendCommand', 'ssm:StartSession',
  'ssm:GetParameter*', 'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'codebuild:StartBuild',
  'codebuild:StartBuildBatch', 'ecs:Create*', 'sagemaker:Create*', 'amplify:Create*',
];

/** Tampering with the responder itself. */
export const RESPONDER_TAMPERING = [
  'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
  'events:PutPermission', 'events:RemovePermission', 'events:DeleteEventBus', 'states:StopExecution',
  'states:DeleteStateMachine*', 'states:UpdateStateMachine*', 'sns:Unsubscribe', 'sns:DeleteTopic',
  'sns:SetTopicAttributes', 'sns:SetSubscriptionAttributes', 'sns:RemovePermission', 'lambda:DeleteFunction*',
  'lambda:PutFunctionConcurrency', 'lambda:RemovePermission', 'kms:DisableKey', 'kms:ScheduleKeyDeletion',
  'kms:PutKeyPolicy', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:PutMetricAlarm',
  'logs:DeleteLogGroup', 'sqs:DeleteQueue', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes',
];

/** The stack's managed quarantine policy. */
export const EXPECTED_QUARANTINE_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...AWS_QUARANTINE_V3, ...OUR_HIGH_RISK_ACTIONS], Resource: '*' },
    { Sid: 'DenyResponderTampering', Effect: 'Deny', Action: RESPONDER_TAMPERING, Resource: '*' },
    {
      Sid: 'DenyUploadsWithCustomerKeys',
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: '*',
      Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
    },
  ],
};

/** The compact inline fallback (a user's 2,048-character inline quota). */
export const EXPECTED_COMPACT_QUARANTINE_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'QuarantineHighRiskActions',
      Effect: 'Deny',
      Action: [
        'iam:*', 'sts:GetSessionToken', 'sts:GetFederationToken', 'sts:AssumeRole*',
        'ec2:RunInstances', 'ec2:RequestSpotInstances', 'ec2:StartInstances', 'ec2:CreateKeyPair', 'ec2:ImportKeyPair',
        'ec2:AuthorizeSecurityGroupIngress', 'ec2:*ReservedInstances*', 'lambda:Create*', 'lambda:Update*', 'lambda:Add*',
        'lightsail:*', 'organizations:*', 's3:Delete*', 's3:PutBucket*', 's3:PutAccountPublicAccessBlock', 's3:GetObject',
        's3:ListBucket', 's3:ListAllMyBuckets', 's3:CreateBucket', 'cloudtrail:*', 'guardduty:Delete*', 'guardduty:Update*',
        'config:Stop*', 'config:Delete*', 'ecs:Create*', 'ecs:RegisterTaskDefinition', 'ecr:GetAuthorizationToken',
        'bedrock:*', 'sagemaker:Create*', 'ses:*', 'sns:GetSMSAttributes', 'amplify:Create*', 'codebuild:CreateProject',
        'glue:CreateJob', 'savingsplans:CreateSavingsPlan', 'mediapackagev2:CreateChannel',
      ],
      Resource: '*',
    },
  ],
};

/** The revoke policy (the AWSRevokeOlderSessions shape) denying sessions issued before `before`. */
export function expectedRevokeDocument(before: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } }],
  };
}
