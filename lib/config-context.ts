// Reading the responder's configuration (lib/config.ts) from CDK context: every key parsed and
// checked, an invalid value refused naming its key, never replaced by a default.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { flag, invalid, list, parseIncidentReaders, parseProtectedRoles, parseProtectedUsers, parseReporters } from './config-principals';
import { parseOrganization } from './config-organization';
import { parseSlackWebhookSecret } from './config-secret';
import { parseSignalsConfig } from './config-signals';
import {
  CONTEXT_KEYS,
  DEFAULT_CONFIG,
  LOG_LEVELS,
  LOG_RETENTION_DAYS,
  LogLevel,
  MAX_INCIDENT_RETENTION_DAYS,
  MAX_LOOKBACK_DAYS,
  MAX_QUARANTINE_WINDOW_HOURS,
  MAX_SECOND_LOOK_MINUTES,
  MIN_SECOND_LOOK_MINUTES,
  ResponderConfig,
  SUPPORT_SEVERITIES,
  SupportSeverity,
} from './config';

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>".]+(\.[^\s@,;<>".]+)+$/;

function parseEmails(value: unknown): string[] {
  const emails = list('notificationEmail', value);
  const bad = emails.filter((e) => !EMAIL.test(e));
  if (bad.length > 0) throw invalid('notificationEmail', `not an email address: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return [...new Set(emails)];
}

function parseBoolean(key: 'dryRun' | 'logExecutionData' | 'stopLaunchedInstances', value: unknown): boolean {
  return flag(key, value, DEFAULT_CONFIG[key]);
}

/** One of `choices`, compared after `normalize` (case), or `fallback` when the key is not set. */
function parseChoice<T extends string>(key: 'logLevel' | 'supportSeverity', value: unknown, choices: readonly T[], fallback: T, normalize: (v: string) => string): T {
  if (value === undefined || value === null) return fallback;
  const choice = typeof value === 'string' ? normalize(value.trim()) : undefined;
  if (!choice || !(choices as readonly string[]).includes(choice)) {
    throw invalid(key, `expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return choice as T;
}

function parseRetention(value: unknown): RetentionDays {
  if (value === undefined || value === null) return DEFAULT_CONFIG.logRetentionDays;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!LOG_RETENTION_DAYS.includes(days)) {
    throw invalid('logRetentionDays', `expected a CloudWatch Logs retention in days (${LOG_RETENTION_DAYS.join(', ')}), got ${JSON.stringify(value)}`);
  }
  return days as RetentionDays;
}

/** A whole number (of days, of hours), as a number (cdk.json) or a string of digits (`-c key=14`); NaN otherwise. */
function wholeNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
}

/**
 * A whole number of `unit` from `min` to `max` (`note` says why those bounds), or `fallback` when
 * the key is not set; anything else throws naming the key.
 */
function parseWholeNumber(key: (typeof CONTEXT_KEYS)[number], value: unknown, fallback: number, [min, max]: [number, number], unit: string, note?: string): number;
function parseWholeNumber(key: (typeof CONTEXT_KEYS)[number], value: unknown, fallback: undefined, [min, max]: [number, number], unit: string, note?: string): number | undefined;
function parseWholeNumber(key: (typeof CONTEXT_KEYS)[number], value: unknown, fallback: number | undefined, [min, max]: [number, number], unit: string, note = ''): number | undefined {
  if (value === undefined || value === null) return fallback;
  const n = wholeNumber(value);
  if (!(n >= min && n <= max)) throw invalid(key, `expected a whole number of ${unit} from ${min} to ${max}${note}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Reads the {@link ResponderConfig} from CDK context. `-c key=value` gives strings, cdk.json may
 * give booleans, numbers and lists: both are accepted. An invalid value throws an Error naming the
 * context key; nothing is silently replaced by a default.
 */
export function configFromContext(scope: IConstruct): ResponderConfig {
  return readConfig((key) => scope.node.tryGetContext(key));
}

/**
 * {@link configFromContext} on plain context values (`-c key=value`), for a command that needs
 * the configuration without a CDK App (an App without `outdir` creates a temporary `cdk.out`
 * directory as soon as it is built).
 */
export function configFromValues(context: Readonly<Record<string, unknown>>): ResponderConfig {
  return readConfig((key) => (Object.hasOwn(context, key) ? context[key] : undefined));
}

function readConfig(get: (key: (typeof CONTEXT_KEYS)[number]) => unknown): ResponderConfig {
  return {
    notificationEmails: parseEmails(get('notificationEmail')),
    dryRun: parseBoolean('dryRun', get('dryRun')),
    protectedUsers: parseProtectedUsers(get('protectedUsers')),
    protectedRoles: parseProtectedRoles(get('protectedRoles')),
    stopLaunchedInstances: parseBoolean('stopLaunchedInstances', get('stopLaunchedInstances')),
    secondLookMinutes: parseWholeNumber('secondLookMinutes', get('secondLookMinutes'), DEFAULT_CONFIG.secondLookMinutes, [MIN_SECOND_LOOK_MINUTES, MAX_SECOND_LOOK_MINUTES], 'minutes'),
    quarantineWindowHours: parseWholeNumber('quarantineWindowHours', get('quarantineWindowHours'), DEFAULT_CONFIG.quarantineWindowHours, [1, MAX_QUARANTINE_WINDOW_HOURS], 'hours'),
    reporters: parseReporters(get('reporters')),
    incidentReaders: parseIncidentReaders(get('incidentReaders')),
    logExecutionData: parseBoolean('logExecutionData', get('logExecutionData')),
    logLevel: parseChoice<LogLevel>('logLevel', get('logLevel'), LOG_LEVELS, DEFAULT_CONFIG.logLevel, (v) => v.toUpperCase()),
    logRetentionDays: parseRetention(get('logRetentionDays')),
    lookbackDays: parseWholeNumber('lookbackDays', get('lookbackDays'), DEFAULT_CONFIG.lookbackDays, [1, MAX_LOOKBACK_DAYS], 'days', " (CloudTrail's event history)"),
    incidentRetentionDays: parseWholeNumber('incidentRetentionDays', get('incidentRetentionDays'), undefined, [1, MAX_INCIDENT_RETENTION_DAYS], 'days', ' (S3 Object Lock retention)'),
    supportSeverity: parseChoice<SupportSeverity>('supportSeverity', get('supportSeverity'), SUPPORT_SEVERITIES, DEFAULT_CONFIG.supportSeverity, (v) => v.toLowerCase()),
    slackWebhookSecret: parseSlackWebhookSecret(get('slackWebhookSecret')),
    ...parseSignalsConfig(get),
    organization: parseOrganization(get('organizationId'), get('memberOrganizationalUnits'), get('deleteMemberRootKeys')),
  };
}
