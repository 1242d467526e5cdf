import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { MAX_LOOKBACK_DAYS } from '../lambdas/investigate/contract';
import type { OrganizationConfig } from './config-organization';
import { isSecretArn } from './config-secret';
import { DEFAULT_SIGNALS_CONFIG, SignalsConfig, SIGNALS_CONTEXT_KEYS } from './config-signals';

/**
 * The responder's configuration: what a deployment can be told, its bounds and its defaults. Read
 * from CDK context by lib/config-context.ts (configFromContext, configFromValues).
 */

export { isSecretArn };

/** The longest CloudTrail lookback: LookupEvents serves the last 90 days (the investigation's own limit). */
export { MAX_LOOKBACK_DAYS };

/** Powertools log levels the Lambdas accept in POWERTOOLS_LOG_LEVEL. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * CloudWatch Logs retention values, in days (what `PutRetentionPolicy` accepts). "Never expire"
 * is not offered: incident logs are evidence, but they should not be kept forever by accident.
 */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/** What a deployment of the responder can be told, from CDK context (`cdk deploy -c key=value`). */
export interface ResponderConfig extends SignalsConfig {
  /**
   * Who is told about each incident (SNS email subscriptions, confirmed by each address).
   * Context `notificationEmail`: comma-separated addresses.
   * @default - none: the topic has no subscription and synth warns
   */
  readonly notificationEmails: readonly string[];
  /**
   * Report what would be done, change nothing in IAM. Context `dryRun`: `true` or `false`.
   * @default false
   */
  readonly dryRun: boolean;
  /**
   * Users that are never changed (break-glass users, ...): user names (matched case-insensitively
   * by the Lambdas) and IAM path prefixes written `/path/*` (users whose path starts with
   * `/path/`). Users tagged `exposed-key-responder:protected=true` are protected as well, whatever
   * this list says. Their incidents go to people, and the containment role is explicitly denied
   * on them. Context `protectedUsers`: comma-separated entries.
   * @default - none: only users carrying the protected tag
   */
  readonly protectedUsers: readonly string[];
  /**
   * Roles whose sessions are never revoked by the footholds step (a break-glass or organization
   * admin role the leaked key assumed): role names (matched case-insensitively by the Lambda) and
   * IAM path prefixes written `/path/*`. Roles tagged `exposed-key-responder:protected=true` are
   * protected as well, and service-linked roles (`/aws-service-role/`) are never changed. The
   * footholds role is explicitly denied every change on them. Context `protectedRoles`:
   * comma-separated entries.
   * @default - none: only roles carrying the protected tag (and service-linked roles)
   */
  readonly protectedRoles: readonly string[];
  /**
   * Stop the instances the leaked key (or a session it obtained) launched or started, after their
   * volumes are snapshotted. Off by default: a CI key may have launched production instances
   * inside the lookback window; each such instance is then an ACTION REQUIRED item with the exact
   * stop command. Context `stopLaunchedInstances`: `true` or `false`.
   * @default false: instances are snapshotted and reported, never stopped (no ec2:StopInstances grant)
   */
  readonly stopLaunchedInstances: boolean;
  /**
   * Minutes the workflow waits before its second look at CloudTrail (which shows events 5 to 15
   * minutes late): an integer from {@link MIN_SECOND_LOOK_MINUTES} to {@link MAX_SECOND_LOOK_MINUTES}.
   * Context `secondLookMinutes`.
   * @default 20
   */
  readonly secondLookMinutes: number;
  /**
   * When an `AWS_RISK_IAM_QUARANTINE` event names nobody, the dispatcher contains only the users
   * whose AWS quarantine policy was attached within this many hours before the event (CloudTrail
   * says when); users quarantined earlier are named in a message and left as they are. An integer
   * from 1 to {@link MAX_QUARANTINE_WINDOW_HOURS}. Context `quarantineWindowHours`.
   * @default 24
   */
  readonly quarantineWindowHours: number;
  /**
   * IAM principals (role, user or root ARNs, exactly) allowed to report a key by hand: the stack
   * then has its own event bus that only they may write to (an explicit Deny for everyone else).
   * Principals of the stack's own account: the report rule matches events of that account only.
   * Context `reporters`: comma-separated ARNs.
   * @default - none: no report bus, and no rule listens for reports by hand
   */
  readonly reporters: readonly string[];
  /**
   * IAM principals (ARNs, `*` and `?` wildcards allowed after the account) that may read the
   * incident records: the bucket policy denies `s3:GetObject*` to every other principal (the
   * account's root user is always allowed). Context `incidentReaders`: comma-separated ARNs.
   * @default - none: no such Deny; reading the records is left to IAM identity policies
   */
  readonly incidentReaders: readonly string[];
  /**
   * Whether the workflow's execution log carries each state's input and output (the incident:
   * key id, user name, what was done). Context `logExecutionData`: `true` or `false`.
   * @default false: the log records the events of each execution, without their data
   */
  readonly logExecutionData: boolean;
  /**
   * Log level of every Lambda (POWERTOOLS_LOG_LEVEL). Context `logLevel`.
   * @default 'INFO'
   */
  readonly logLevel: LogLevel;
  /**
   * Retention of every log group (Lambdas and workflow), in days; one of {@link LOG_RETENTION_DAYS}.
   * Context `logRetentionDays`.
   * @default 365
   */
  readonly logRetentionDays: RetentionDays;
  /**
   * How far back the investigation reads CloudTrail for what the exposed key did, in days: an
   * integer from 1 to {@link MAX_LOOKBACK_DAYS} (CloudTrail's event history keeps 90 days).
   * Context `lookbackDays`.
   * @default 14
   */
  readonly lookbackDays: number;
  /**
   * Object Lock default retention (GOVERNANCE mode) of the incident records, in days: an integer
   * from 1 to {@link MAX_INCIDENT_RETENTION_DAYS}. Best decided before the first deployment: the
   * bucket's `ObjectLockEnabled` is a creation-time property, the default retention applies only
   * to records written after it is set, and S3 never lets Object Lock be turned off again.
   * Context `incidentRetentionDays`.
   * @default - none: the incident bucket has no Object Lock (records are versioned and the bucket
   * is retained, but a principal allowed to delete object versions can delete them)
   */
  readonly incidentRetentionDays?: number;
  /**
   * Severity of the AWS Support case opened for each incident: one of {@link SUPPORT_SEVERITIES}.
   * What the account's support plan allows decides what AWS accepts: `low` and `normal` need
   * Developer, `high` and `urgent` Business, `critical` Enterprise; the Support API itself needs
   * Business or above. Context `supportSeverity`.
   * @default 'high'
   */
  readonly supportSeverity: SupportSeverity;
  /**
   * The existing Secrets Manager secret holding the Slack incoming-webhook URL (the secret string
   * is the URL, or `{"url": "..."}`), by name (`slack/exposed-key-responder`) or by complete ARN, with the six-character
   * suffix Secrets Manager adds, as `aws secretsmanager describe-secret --query ARN` prints it. The
   * URL never reaches the stack: only the slack Lambda's role may read the secret, at run time.
   * A name ending with a hyphen and six characters (`team-alerts`) must be given as a complete
   * ARN: the Lambda finds a secret given by name through its partial ARN, which Secrets Manager
   * would read as already suffixed.
   * The secret must be in the stack's region (us-east-1: the Lambda reads it there; synth refuses
   * an ARN of another region) and encrypted with the AWS managed key `aws/secretsmanager`, or with a customer
   * key whose policy lets the slack Lambda's role decrypt. Context `slackWebhookSecret`; an empty
   * value means none.
   * @default - none: no Slack message; the slack Lambda reports itself not configured
   */
  readonly slackWebhookSecret?: string;
  /**
   * Organization mode (lib/config-organization.ts): this stack is the central responder, and a
   * service-managed StackSet gives every account of the units a member stack (detection rules
   * forwarding to the central bus, the role the responder assumes there). Context
   * `organizationId` (`o-...`) and `memberOrganizationalUnits` (`ou-...[,ou-...]`), both or neither;
   * with them, `deleteMemberRootKeys` (IRREVERSIBLE deletion of a member's exposed root key).
   * @default - none: one account, the stack's own
   */
  readonly organization?: OrganizationConfig;
}

/** AWS Support case severity codes, lowest first (what CreateCase accepts as `severityCode`). */
export const SUPPORT_SEVERITIES = ['low', 'normal', 'high', 'urgent', 'critical'] as const;
export type SupportSeverity = (typeof SUPPORT_SEVERITIES)[number];

/** The longest Object Lock retention S3 accepts: 100 years. */
export const MAX_INCIDENT_RETENTION_DAYS = 36500;

/** The longest `quarantineWindowHours`: 30 days. */
export const MAX_QUARANTINE_WINDOW_HOURS = 720;

/** `secondLookMinutes` bounds: CloudTrail's delivery delay at the least, 12 hours (the longest role session) at the most. */
export const MIN_SECOND_LOOK_MINUTES = 5;
export const MAX_SECOND_LOOK_MINUTES = 720;

/** What {@link configFromContext} gives when no context is set. */
export const DEFAULT_CONFIG: ResponderConfig = {
  notificationEmails: [],
  dryRun: false,
  protectedUsers: [],
  protectedRoles: [],
  stopLaunchedInstances: false,
  secondLookMinutes: 20,
  quarantineWindowHours: 24,
  reporters: [],
  incidentReaders: [],
  logExecutionData: false,
  logLevel: 'INFO',
  logRetentionDays: RetentionDays.ONE_YEAR,
  lookbackDays: 14,
  incidentRetentionDays: undefined,
  supportSeverity: 'high',
  slackWebhookSecret: undefined,
  ...DEFAULT_SIGNALS_CONFIG,
  organization: undefined,
};

/** The context keys {@link configFromContext} reads. */
export const CONTEXT_KEYS = [
  'notificationEmail',
  'dryRun',
  'protectedUsers',
  'protectedRoles',
  'stopLaunchedInstances',
  'secondLookMinutes',
  'quarantineWindowHours',
  'reporters',
  'incidentReaders',
  'logExecutionData',
  'logLevel',
  'logRetentionDays',
  'lookbackDays',
  'incidentRetentionDays',
  'supportSeverity',
  'slackWebhookSecret',
  ...SIGNALS_CONTEXT_KEYS,
  'organizationId',
  'memberOrganizationalUnits',
  'deleteMemberRootKeys',
] as const;
