/**
 * The policies the responder puts on an exposed key's user. Both are deny-only: they take nothing
 * away that a human cannot give back by deleting them, and they never grant anything.
 */

/** Inline policy that denies every request signed with credentials issued before the incident. */
export const REVOKE_SESSIONS_POLICY_NAME = 'ExposedKeyResponder-RevokeOlderSessions';
/** IAM path of the customer-managed policies the responder creates (fallback, see contain). */
export const RESPONDER_POLICY_PATH = '/exposed-key-responder/';

/**
 * How far past the execution's start the revocation reaches. IAM changes take seconds to reach
 * every endpoint: while the key's deactivation propagates, whoever holds it can still mint
 * sessions (GetSessionToken: up to 36 hours), and those would be issued after the execution
 * started. Denying sessions issued up to a few minutes later revokes them too; the user's own
 * new sessions in that window are denied as well, which a quarantined user can afford.
 */
export const REVOCATION_MARGIN_SECONDS = 300;

/** The `aws:TokenIssueTime` before which sessions are denied, for a response started at `startedAt`. */
export function revocationTime(startedAt: string): string {
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) throw new Error(`not a date: ${startedAt}`);
  return new Date(start + REVOCATION_MARGIN_SECONDS * 1000).toISOString();
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

/**
 * The AWSRevokeOlderSessions shape: deny `*` when `aws:TokenIssueTime` is before `before`. It only
 * affects temporary credentials (sessions from GetSessionToken, GetFederationToken, console), so
 * the key itself must also be set Inactive.
 */
export function revokeOlderSessionsPolicy(before: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': before } },
      },
    ],
  };
}

/** The time a revoke policy revokes before, or undefined when the document is not one of ours. */
export function revokedBefore(document: unknown): string | undefined {
  const statement: unknown = (document as { Statement?: unknown } | null | undefined)?.Statement;
  // IAM's grammar allows Statement to be one object as well as an array (the AWS example is one).
  const statements = Array.isArray(statement) ? statement : statement && typeof statement === 'object' ? [statement] : undefined;
  if (!statements) return undefined;
  for (const s of statements) {
    const cond = (s as { Effect?: string; Action?: unknown; Condition?: { DateLessThan?: Record<string, string> } });
    const at = cond.Condition?.DateLessThan?.['aws:TokenIssueTime'];
    const everything = cond.Action === '*' || (Array.isArray(cond.Action) && cond.Action.includes('*'));
    if (cond.Effect === 'Deny' && everything && typeof at === 'string') return at;
  }
  return undefined;
}

/**
 * High-risk actions the quarantine policy denies: the actions of AWS's own
 * AWSCompromisedKeyQuarantineV3 (what attackers do first with a leaked key: new users and keys,
 * instances, functions, models), plus the ways to undo the quarantine or blind the account
 * (removing these policies, stopping CloudTrail, GuardDuty or Config) and to pivot (AssumeRole).
 */
export const QUARANTINE_DENIED_ACTIONS: readonly string[] = [
  // AWSCompromisedKeyQuarantineV3
  'cloudtrail:LookupEvents', 'ec2:RequestSpotInstances', 'ec2:RunInstances', 'ec2:StartInstances',
  'iam:AddUserToGroup', 'iam:AttachGroupPolicy', 'iam:AttachRolePolicy', 'iam:AttachUserPolicy',
  'iam:ChangePassword', 'iam:CreateAccessKey', 'iam:CreateInstanceProfile', 'iam:CreateLoginProfile',
  'iam:CreatePolicyVersion', 'iam:CreateRole', 'iam:CreateUser', 'iam:DetachUserPolicy', 'iam:PassRole',
  'iam:PutGroupPolicy', 'iam:PutRolePolicy', 'iam:PutUserPermissionsBoundary', 'iam:PutUserPolicy',
  'iam:SetDefaultPolicyVersion', 'iam:UpdateAccessKey', 'iam:UpdateAccountPasswordPolicy',
  'iam:UpdateAssumeRolePolicy', 'iam:UpdateLoginProfile', 'iam:UpdateUser', 'lambda:AddLayerVersionPermission',
  'lambda:AddPermission', 'lambda:CreateFunction', 'lambda:GetPolicy', 'lambda:ListTags',
  'lambda:PutProvisionedConcurrencyConfig', 'lambda:TagResource', 'lambda:UntagResource',
  'lambda:UpdateFunctionCode', 'lightsail:Create*', 'lightsail:Delete*', 'lightsail:DownloadDefaultKeyPair',
  'lightsail:GetInstanceAccessDetails', 'lightsail:Start*', 'lightsail:Update*', 'organizations:CreateAccount',
  'organizations:CreateOrganization', 'organizations:InviteAccountToOrganization', 's3:DeleteBucket',
  's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:PutBucketAcl',
  's3:PutBucketOwnershipControls', 's3:DeleteBucketPolicy', 's3:ObjectOwnerOverrideToBucketOwner',
  's3:PutAccountPublicAccessBlock', 's3:PutBucketPolicy', 's3:ListAllMyBuckets',
  'ec2:PurchaseReservedInstancesOffering', 'ec2:AcceptReservedInstancesExchangeQuote',
  'ec2:CreateReservedInstancesListing', 'savingsplans:CreateSavingsPlan', 'ecs:CreateService',
  'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecr:GetAuthorizationToken',
  'bedrock:CreateModelInvocationJob', 'bedrock:InvokeModelWithResponseStream',
  'bedrock:CreateFoundationModelAgreement', 'bedrock:PutFoundationModelEntitlement', 'bedrock:InvokeModel',
  's3:CreateBucket', 's3:PutBucketCors', 's3:GetObject', 's3:ListBucket', 'sagemaker:CreateEndpointConfig',
  'sagemaker:CreateProcessingJob', 'ses:GetSendQuota', 'ses:ListIdentities', 'sts:GetSessionToken',
  'sts:GetFederationToken', 'amplify:CreateDeployment', 'amplify:CreateBackendEnvironment',
  'codebuild:CreateProject', 'glue:CreateJob', 'iam:DeleteRole', 'iam:DeleteAccessKey', 'iam:ListUsers',
  'lambda:GetEventSourceMapping', 'sns:GetSMSAttributes', 'mediapackagev2:CreateChannel',
  // Undoing the quarantine, blinding the account, pivoting.
  'iam:DeleteUserPolicy', 'iam:DeleteUserPermissionsBoundary', 'iam:CreatePolicy', 'iam:RemoveUserFromGroup',
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector', 'guardduty:UpdateDetector', 'config:StopConfigurationRecorder',
  'config:DeleteConfigurationRecorder', 'ec2:CreateKeyPair', 'ec2:ImportKeyPair',
  'ec2:AuthorizeSecurityGroupIngress', 'lambda:UpdateFunctionConfiguration', 'sts:AssumeRole',
];

/** Inline fallback of the quarantine when the user already has its quota of managed policies. */
export const QUARANTINE_INLINE_POLICY_NAME = 'ExposedKeyResponder-Quarantine';

/**
 * The quarantine in a form that fits a user's 2,048-character inline quota: the same intent as
 * {@link QUARANTINE_DENIED_ACTIONS}, broader through wildcards (all of IAM, STS sessions and role
 * assumption, Lightsail, Organizations, CloudTrail/GuardDuty/Config changes...). Used only when the
 * managed quarantine policy cannot be attached (10 managed policies per user).
 */
export const COMPACT_QUARANTINE_ACTIONS: readonly string[] = [
  'iam:*', 'sts:GetSessionToken', 'sts:GetFederationToken', 'sts:AssumeRole*',
  'ec2:RunInstances', 'ec2:RequestSpotInstances', 'ec2:StartInstances', 'ec2:CreateKeyPair', 'ec2:ImportKeyPair',
  'ec2:AuthorizeSecurityGroupIngress', 'ec2:*ReservedInstances*', 'lambda:Create*', 'lambda:Update*', 'lambda:Add*',
  'lightsail:*', 'organizations:*', 's3:Delete*', 's3:PutBucket*', 's3:PutAccountPublicAccessBlock', 's3:GetObject',
  's3:ListBucket', 's3:ListAllMyBuckets', 's3:CreateBucket', 'cloudtrail:*', 'guardduty:Delete*', 'guardduty:Update*',
  'config:Stop*', 'config:Delete*', 'ecs:Create*', 'ecs:RegisterTaskDefinition', 'ecr:GetAuthorizationToken',
  'bedrock:*', 'sagemaker:Create*', 'ses:*', 'sns:GetSMSAttributes', 'amplify:Create*', 'codebuild:CreateProject',
  'glue:CreateJob', 'savingsplans:CreateSavingsPlan', 'mediapackagev2:CreateChannel',
];

export function compactQuarantinePolicy(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Sid: 'QuarantineHighRiskActions', Effect: 'Deny', Action: [...COMPACT_QUARANTINE_ACTIONS], Resource: '*' }] };
}
