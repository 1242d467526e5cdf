/**
 * The policies the responder puts on an exposed key's user. Both are deny-only: they take nothing
 * away that a human cannot give back by deleting them, and they never grant anything.
 */

/** Inline policy that denies every request signed with credentials issued before the incident. */
export const REVOKE_SESSIONS_POLICY_NAME = 'ExposedKeyResponder-RevokeOlderSessions';
/** IAM path of the customer-managed policy the stack creates (the quarantine). */
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

/** The latest of these times (ISO 8601); what is not a date is ignored. Undefined when none is. */
export function latestTime(...times: ReadonlyArray<string | undefined>): string | undefined {
  let latest: string | undefined;
  for (const t of times) {
    if (t === undefined || Number.isNaN(Date.parse(t))) continue;
    if (latest === undefined || Date.parse(t) > Date.parse(latest)) latest = t;
  }
  return latest;
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
 * AWS's own AWSCompromisedKeyQuarantineV3, as AWS publishes it: what attackers do first with a
 * leaked key (new users and keys, instances, functions, models). The floor of our quarantine.
 */
const AWS_QUARANTINE_V3_ACTIONS = [
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
];

/**
 * What AWS's list leaves open, on any resource: all of IAM and role assumption (undoing the
 * quarantine, pivoting), blinding the account, reading data and secrets (object versions,
 * parameters, secrets), running code elsewhere (SSM, Lambda, CodeBuild), sending mail, sharing
 * snapshots and images out of the account, ransom (replication, versioning, Object Lock,
 * retention) and leaving the organization. At least as strong as {@link COMPACT_QUARANTINE_ACTIONS}.
 */
const QUARANTINE_EXTRA_ACTIONS = [
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

/**
 * Tampering with the responder itself: its rules and targets, workflow, topic, functions, keys,
 * alarms, queue and logs. Denied on every resource: the quarantined user has no business there, and
 * naming the stack's own resources here would make the policy depend on them (a cycle).
 */
const RESPONDER_TAMPERING_ACTIONS = [
  'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
  'events:PutPermission', 'events:RemovePermission', 'events:DeleteEventBus', 'states:StopExecution',
  'states:DeleteStateMachine*', 'states:UpdateStateMachine*', 'sns:Unsubscribe', 'sns:DeleteTopic',
  'sns:SetTopicAttributes', 'sns:SetSubscriptionAttributes', 'sns:RemovePermission', 'lambda:DeleteFunction*',
  'lambda:PutFunctionConcurrency', 'lambda:RemovePermission', 'kms:DisableKey', 'kms:ScheduleKeyDeletion',
  'kms:PutKeyPolicy', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:PutMetricAlarm',
  'logs:DeleteLogGroup', 'sqs:DeleteQueue', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes',
];

/** The quarantine's unconditional denies (on every resource), each pattern once. */
export const QUARANTINE_DENIED_ACTIONS: readonly string[] = [
  ...AWS_QUARANTINE_V3_ACTIONS,
  ...QUARANTINE_EXTRA_ACTIONS,
  ...RESPONDER_TAMPERING_ACTIONS,
];

/** The condition key present when an upload brings its own encryption key (SSE-C). */
export const SSE_C_ALGORITHM_KEY = 's3:x-amz-server-side-encryption-customer-algorithm';

/**
 * The statements of the stack's managed quarantine policy, as IAM JSON (the stack makes its
 * ManagedPolicy from them as they are). The third denies uploads encrypted with a key the caller
 * brings (SSE-C): overwriting objects with a key only the attacker holds is a known ransom.
 */
export const QUARANTINE_POLICY_STATEMENTS: ReadonlyArray<Readonly<Record<string, unknown>>> = [
  { Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...AWS_QUARANTINE_V3_ACTIONS, ...QUARANTINE_EXTRA_ACTIONS], Resource: '*' },
  { Sid: 'DenyResponderTampering', Effect: 'Deny', Action: [...RESPONDER_TAMPERING_ACTIONS], Resource: '*' },
  { Sid: 'DenyUploadsWithCustomerKeys', Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { Null: { [SSE_C_ALGORITHM_KEY]: 'false' } } },
];

/** The managed quarantine policy's document (what the stack deploys). */
export function quarantinePolicyDocument(): PolicyDocument {
  return { Version: '2012-10-17', Statement: QUARANTINE_POLICY_STATEMENTS.map((s) => structuredClone({ ...s })) };
}

/** IAM counts a user's inline policies together: 2,048 characters, white space excluded. */
export const INLINE_USER_POLICY_QUOTA = 2048;
/** The size limit of one customer-managed policy, white space excluded. */
export const MANAGED_POLICY_QUOTA = 6144;

/** The size IAM counts against a policy quota: the JSON (a document or its text) without white space. */
export function policySize(document: unknown): number {
  return (typeof document === 'string' ? document : JSON.stringify(document)).replace(/\s/g, '').length;
}

/**
 * Whether an IAM action pattern (e.g. `s3:Delete*`; `*` any run, `?` one character, any case)
 * matches an action (e.g. `s3:DeleteObject`). A `*` of the text matched is only absorbed by a `*`
 * of the pattern, so the same test says whether one pattern covers every action another one
 * matches (`lambda:*` covers `lambda:Create*`; a sufficient test).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '[^*]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i').test(action);
}

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
