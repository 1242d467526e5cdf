// The investigate step's contract: its input, its output and the lists it works from. Light on
// purpose (zod/mini and the incident model only): the workflow, the report and the stack import it.
import * as z from 'zod/mini';
import { AfterContainmentSchema, FootholdsSchema, SecondLookInputSchema } from '../footholds/contract';
import { IncidentSchema } from '../shared/incident';

/** Step Functions Task Parameters: the incident, and the execution's start. */
export const InvestigateInputSchema = z.object({
  incident: IncidentSchema,
  /** The execution's start (ISO 8601); the same on every retry. */
  revokeBefore: z.iso.datetime({ offset: true }),
  /** Set for the second look: CloudTrail since the first pass, by what it found. */
  secondLook: z.optional(SecondLookInputSchema),
});
export type InvestigateInput = z.infer<typeof InvestigateInputSchema>;

/** The longest lookback CloudTrail LookupEvents can serve. */
export const MAX_LOOKBACK_DAYS = 90;

/**
 * Output caps. The step's result travels in the Step Functions state, which holds 256 KB in all
 * (every step's result together), so this one stays well under 100 KB whatever the key did: the
 * full activity is in the incident bucket (`activityObject`), and a cap that bites is said in
 * `failures`.
 */
export const LIMITS = {
  /** Notable events listed; every kind of notable event is listed at least once before any repeats. */
  notable: 50,
  /** Top source IPs and user agents, by count. */
  topValues: 10,
  /** Each `leftBehind` list except instances. */
  leftBehind: 100,
  /** `leftBehind.instances`. */
  instances: 200,
  /** Characters of a summary, a user agent or an error message. */
  text: 200,
} as const;

/**
 * Event names worth a line in the report: new identities and credentials (persistence), policy
 * changes (escalation), sessions (pivot), compute (miners), CloudTrail and GuardDuty changes
 * (blinding the account), key pairs and open security groups (a way in). S3 `CopyObject` and
 * `PutObject` are notable only with a customer-provided key (SSE-C: the ransom pattern), see
 * {@link SSE_C_HEADER}.
 */
export const NOTABLE_EVENT_NAMES: readonly string[] = [
  'CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile',
  'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy',
  'CreatePolicy', 'CreatePolicyVersion', 'CreateRole', 'UpdateAssumeRolePolicy',
  'AssumeRole', 'GetSessionToken', 'GetFederationToken',
  'RunInstances', 'StartInstances', 'RequestSpotInstances', 'CreateFunction', 'UpdateFunctionCode',
  'DeleteTrail', 'StopLogging', 'UpdateTrail', 'PutEventSelectors', 'DeleteDetector',
  'CreateKeyPair', 'ImportKeyPair', 'AuthorizeSecurityGroupIngress',
];

/** The request parameter of an S3 write encrypted with a key only the caller holds (SSE-C). */
export const SSE_C_HEADER = 'x-amz-server-side-encryption-customer-algorithm';

/**
 * Actions simulated for the exposed key's user: what an attacker holding the key does first.
 * Each is one a report reader acts on: "the key could create users" means look for users.
 */
export const HIGH_RISK_ACTIONS: readonly string[] = [
  // Persistence: new identities and credentials that outlive the key.
  'iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
  // Privilege escalation: more rights for the user, or a role to carry them.
  'iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:AddUserToGroup', 'iam:CreatePolicyVersion',
  'iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy',
  // Pivoting: sessions the key's deactivation does not end.
  'sts:AssumeRole', 'sts:GetFederationToken',
  // Compute abuse: miners and model abuse on the account's bill.
  'ec2:RunInstances', 'ec2:RequestSpotInstances', 'lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'bedrock:InvokeModel',
  // Data: reading it, holding it to ransom (SSE-C rewrite), destroying it, secrets.
  's3:ListAllMyBuckets', 's3:GetObject', 's3:PutObject', 's3:DeleteBucket', 'kms:Decrypt',
  'secretsmanager:GetSecretValue', 'ssm:GetParameter',
  // Blinding the account.
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'guardduty:DeleteDetector',
  // Taking the account away, or using it to send spam.
  'organizations:LeaveOrganization', 'ses:SendEmail',
];

/**
 * What the investigate Lambda's role needs (all read-only, plus writing the activity object):
 * for the stack. LookupEvents, DescribeRegions and the IAM reads support no narrower resource
 * than `*` or the user; PutObject is scoped to the incident bucket's `incidents/*`.
 */
export const INVESTIGATE_READ_ACTIONS: readonly string[] = [
  'cloudtrail:LookupEvents',
  'ec2:DescribeRegions',
  'iam:GetUser', 'iam:ListAttachedUserPolicies', 'iam:ListUserPolicies', 'iam:GetUserPolicy',
  'iam:ListGroupsForUser', 'iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy',
  'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:SimulatePrincipalPolicy', 'iam:SimulateCustomPolicy',
];
export const INVESTIGATE_WRITE_ACTIONS: readonly string[] = ['s3:PutObject'];

const Count = z.object({ value: z.string(), count: z.number() });

export const NotableEventSchema = z.object({
  eventTime: z.string(),
  region: z.string(),
  eventSource: z.string(),
  eventName: z.string(),
  /** The key that signed the call: the exposed AKIA key, or an ASIA session derived from it. */
  accessKeyId: z.optional(z.string()),
  sourceIp: z.optional(z.string()),
  /** Set when the call failed (AccessDenied, UnauthorizedOperation...): an attempt, not a change. */
  errorCode: z.optional(z.string()),
  /** One human line, e.g. "RunInstances i-0abc, i-0def in eu-west-1". */
  summary: z.string(),
});
export type NotableEvent = z.infer<typeof NotableEventSchema>;

/** The `what` of a failure of the CloudTrail search in one region (its activity is then incomplete). */
export function lookupFailureWhat(region: string): string {
  return `cloudtrail:LookupEvents ${region}`;
}

/** The region of a {@link lookupFailureWhat} failure; undefined for any other failure. */
export function regionOfLookupFailure(what: string): string | undefined {
  return /^cloudtrail:LookupEvents (\S+)$/.exec(what)?.[1];
}

export const InstanceLeftBehindSchema = z.object({
  region: z.string(),
  instanceId: z.string(),
  via: z.enum(['RunInstances', 'StartInstances']),
});

/**
 * An S3 failure of the wave's shared CloudTrail search (shared-search.ts) in one region: not a gap
 * (every event of the key was searched), a cost. `searchedAlone`: the shared result could not be
 * read or its lease taken, so this key's CloudTrail was searched on its own there (slower, more
 * LookupEvents calls against the account's 2 a second); false: this investigation searched the
 * region for the wave but could not share the result (the wave's others search on their own).
 */
export const SharedSearchProblemSchema = z.object({ region: z.string(), searchedAlone: z.boolean(), error: z.string() });
export type SharedSearchProblem = z.infer<typeof SharedSearchProblemSchema>;

/** The step's result: what the key did, what it can do, what it left behind. */
export const InvestigationSchema = z.object({
  lookback: z.object({ from: z.string(), to: z.string(), days: z.number() }),
  /** Regions searched: every enabled region, us-east-1 always. */
  regions: z.array(z.string()),
  /** LookupEvents pages fetched in all. */
  pages: z.number(),
  /** Distinct events (by EventId) found by either lookup. */
  eventCount: z.number(),
  firstSeen: z.optional(z.string()),
  lastSeen: z.optional(z.string()),
  byRegion: z.record(z.string(), z.number()),
  /** By eventSource, e.g. "ec2.amazonaws.com". */
  byService: z.record(z.string(), z.number()),
  sourceIps: z.array(Count),
  userAgents: z.array(Count),
  notable: z.array(NotableEventSchema),
  /** Only from calls that succeeded (no errorCode). Sorted, deduplicated. */
  leftBehind: z.object({
    users: z.array(z.string()),
    accessKeys: z.array(z.object({ userName: z.string(), accessKeyId: z.optional(z.string()) })),
    loginProfiles: z.array(z.string()),
    roles: z.array(z.string()),
    /** CreatePolicy: the policy ARN, or its name when the response did not say. */
    policies: z.array(z.string()),
    instances: z.array(InstanceLeftBehindSchema),
  }),
  /** The exposed key's user's permissions (empty for root, see `failures`). */
  reach: z.object({
    /** Managed policy ARNs attached to the user (ours and AWS's quarantine included). */
    attachedPolicies: z.array(z.string()),
    /** Inline policy names of the user. */
    inlinePolicies: z.array(z.string()),
    groups: z.array(z.object({ groupName: z.string(), attachedPolicies: z.array(z.string()), inlinePolicies: z.array(z.string()) })),
    /** {@link HIGH_RISK_ACTIONS} SimulatePrincipalPolicy allows NOW, quarantine in place, on every resource. */
    allowedHighRisk: z.array(z.string()),
    /** The others: denied now, explicitly (a quarantine) or implicitly. */
    deniedHighRisk: z.array(z.string()),
    /**
     * {@link HIGH_RISK_ACTIONS} the user's own policies allowed BEFORE any quarantine (ours and
     * AWS's left out): what the key could do in the attacker's hands. Absent when it could not be
     * computed (see `failures`).
     */
    allowedBeforeContainment: z.optional(z.array(z.string())),
  }),
  /** s3://bucket/key of the full activity, one CloudTrail record a line. */
  activityObject: z.optional(z.string()),
  /** What could not be done (a region, a permission, the activity object): gaps in the answer. */
  failures: z.array(z.object({ what: z.string(), error: z.string() })),
  /** Lists cut short to keep the output small; everything is in the activity object. Not a gap. */
  truncated: z.array(z.string()),
  /** Where the wave's shared CloudTrail search failed on S3 (absent when it did not, or was not used). Not a gap. */
  sharedSearchProblems: z.optional(z.array(SharedSearchProblemSchema)),
  dryRun: z.boolean(),
  footholds: z.optional(FootholdsSchema),
  afterContainment: z.optional(AfterContainmentSchema),
});
export type Investigation = z.infer<typeof InvestigationSchema>;
