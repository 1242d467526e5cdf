import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { MAX_LOOKBACK_DAYS } from '../lambdas/investigate/contract';

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
export interface ResponderConfig {
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
   * IAM user names that are never changed (break-glass users, ...): their incidents are escalated
   * to people, and the containment role is explicitly denied on them. Context `protectedUsers`:
   * comma-separated user names.
   * @default - none
   */
  readonly protectedUsers: readonly string[];
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
}

/** AWS Support case severity codes, lowest first (what CreateCase accepts as `severityCode`). */
export const SUPPORT_SEVERITIES = ['low', 'normal', 'high', 'urgent', 'critical'] as const;
export type SupportSeverity = (typeof SUPPORT_SEVERITIES)[number];

/** The longest Object Lock retention S3 accepts: 100 years. */
export const MAX_INCIDENT_RETENTION_DAYS = 36500;

/** What {@link configFromContext} gives when no context is set. */
export const DEFAULT_CONFIG: ResponderConfig = {
  notificationEmails: [],
  dryRun: false,
  protectedUsers: [],
  logLevel: 'INFO',
  logRetentionDays: RetentionDays.ONE_YEAR,
  lookbackDays: 14,
  incidentRetentionDays: undefined,
  supportSeverity: 'high',
  slackWebhookSecret: undefined,
};

/** The context keys {@link configFromContext} reads. */
export const CONTEXT_KEYS = [
  'notificationEmail',
  'dryRun',
  'protectedUsers',
  'logLevel',
  'logRetentionDays',
  'lookbackDays',
  'incidentRetentionDays',
  'supportSeverity',
  'slackWebhookSecret',
] as const;

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>".]+(\.[^\s@,;<>".]+)+$/;
/** IAM's pattern for a user name. */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

function invalid(key: string, message: string): Error {
  return new Error(`Invalid context "${key}": ${message}`);
}

/** A comma-separated string (what `-c key=a,b` gives) or a list of strings (cdk.json). */
function list(key: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string'
    ? value.split(',')
    : Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? (value as string[])
      : undefined;
  if (!items) throw invalid(key, `expected a comma-separated string or a list of strings, got ${JSON.stringify(value)}`);
  return items.map((s) => s.trim()).filter(Boolean);
}

function parseEmails(value: unknown): string[] {
  const emails = list('notificationEmail', value);
  const bad = emails.filter((e) => !EMAIL.test(e));
  if (bad.length > 0) throw invalid('notificationEmail', `not an email address: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return [...new Set(emails)];
}

function parseProtectedUsers(value: unknown): string[] {
  const users = list('protectedUsers', value);
  const bad = users.filter((u) => !IAM_USER_NAME.test(u));
  if (bad.length > 0) {
    throw invalid('protectedUsers', `not an IAM user name (1-64 of [A-Za-z0-9_+=,.@-]): ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  return [...new Set(users)];
}

function parseDryRun(value: unknown): boolean {
  if (value === undefined || value === null) return DEFAULT_CONFIG.dryRun;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid('dryRun', `expected true or false, got ${JSON.stringify(value)}`);
}

function parseLogLevel(value: unknown): LogLevel {
  if (value === undefined || value === null) return DEFAULT_CONFIG.logLevel;
  const level = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
  if (!level || !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw invalid('logLevel', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return level as LogLevel;
}

function parseRetention(value: unknown): RetentionDays {
  if (value === undefined || value === null) return DEFAULT_CONFIG.logRetentionDays;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!LOG_RETENTION_DAYS.includes(days)) {
    throw invalid('logRetentionDays', `expected a CloudWatch Logs retention in days (${LOG_RETENTION_DAYS.join(', ')}), got ${JSON.stringify(value)}`);
  }
  return days as RetentionDays;
}

/** A whole number of days, as a number (cdk.json) or a string of digits (`-c key=14`); NaN otherwise. */
function wholeDays(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
}

function parseLookback(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_CONFIG.lookbackDays;
  const n = wholeDays(value);
  if (!(n >= 1 && n <= MAX_LOOKBACK_DAYS)) {
    throw invalid('lookbackDays', `expected a whole number of days from 1 to ${MAX_LOOKBACK_DAYS} (CloudTrail's event history), got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseIncidentRetention(value: unknown): number | undefined {
  if (value === undefined || value === null) return DEFAULT_CONFIG.incidentRetentionDays;
  const n = wholeDays(value);
  if (!(n >= 1 && n <= MAX_INCIDENT_RETENTION_DAYS)) {
    throw invalid('incidentRetentionDays', `expected a whole number of days from 1 to ${MAX_INCIDENT_RETENTION_DAYS} (S3 Object Lock retention), got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseSupportSeverity(value: unknown): SupportSeverity {
  if (value === undefined || value === null) return DEFAULT_CONFIG.supportSeverity;
  const severity = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (!severity || !(SUPPORT_SEVERITIES as readonly string[]).includes(severity)) {
    throw invalid('supportSeverity', `expected one of ${SUPPORT_SEVERITIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return severity as SupportSeverity;
}

/** Secrets Manager's characters for a secret name (1 to 512 of them). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A complete secret ARN: the name followed by `-` and the six random characters Secrets Manager adds. */
const SECRET_COMPLETE_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/** A name ending like a secret ARN's random suffix: ambiguous in a partial ARN. */
const AMBIGUOUS_SECRET_NAME = /-[A-Za-z0-9]{6}$/;

/** Whether a (valid) `slackWebhookSecret` is an ARN rather than a name. */
export function isSecretArn(nameOrArn: string): boolean {
  return nameOrArn.startsWith('arn:');
}

function parseSlackWebhookSecret(value: unknown): string | undefined {
  if (value === undefined || value === null) return DEFAULT_CONFIG.slackWebhookSecret;
  if (typeof value !== 'string') throw invalid('slackWebhookSecret', `expected a secret name or ARN, got ${JSON.stringify(value)}`);
  const secret = value.trim();
  if (secret === '') return undefined;
  // Never echo a URL: it may be the webhook itself, which is a credential (and a name would put it in the template).
  if (secret.includes('://') || /hooks\.slack\.com/i.test(secret)) {
    throw invalid('slackWebhookSecret', 'expected the name or ARN of a Secrets Manager secret holding the webhook URL, not a URL: store the URL in a secret and pass its name');
  }
  if (isSecretArn(secret)) {
    if (!SECRET_COMPLETE_ARN.test(secret)) {
      throw invalid(
        'slackWebhookSecret',
        `expected a complete Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, as describe-secret prints it) or a secret name, got ${JSON.stringify(secret)}`,
      );
    }
    return secret;
  }
  if (!SECRET_NAME.test(secret)) {
    throw invalid('slackWebhookSecret', `not a Secrets Manager secret name (1-512 of [A-Za-z0-9/_+=.@-]): ${JSON.stringify(secret)}`);
  }
  // The Lambda is given the secret's partial ARN (no suffix), which Secrets Manager may resolve
  // wrongly when the name itself looks suffixed.
  if (AMBIGUOUS_SECRET_NAME.test(secret)) {
    throw invalid(
      'slackWebhookSecret',
      `the secret name ${JSON.stringify(secret)} ends with a hyphen and six characters, like the suffix Secrets Manager adds to ARNs, so it cannot be found reliably by name: pass its complete ARN instead`,
    );
  }
  return secret;
}

/**
 * Reads the {@link ResponderConfig} from CDK context. `-c key=value` gives strings, cdk.json may
 * give booleans, numbers and lists: both are accepted. An invalid value throws an Error naming the
 * context key; nothing is silently replaced by a default.
 */
export function configFromContext(scope: IConstruct): ResponderConfig {
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => scope.node.tryGetContext(key);
  return {
    notificationEmails: parseEmails(get('notificationEmail')),
    dryRun: parseDryRun(get('dryRun')),
    protectedUsers: parseProtectedUsers(get('protectedUsers')),
    logLevel: parseLogLevel(get('logLevel')),
    logRetentionDays: parseRetention(get('logRetentionDays')),
    lookbackDays: parseLookback(get('lookbackDays')),
    incidentRetentionDays: parseIncidentRetention(get('incidentRetentionDays')),
    supportSeverity: parseSupportSeverity(get('supportSeverity')),
    slackWebhookSecret: parseSlackWebhookSecret(get('slackWebhookSecret')),
  };
}
