// What one event says, as the dispatcher reads it, and the helpers that keep every string of it safe.
import { IncidentSource, isRootUserName, USER_NAME_PATTERN } from './incident';

/**
 * A string from an event made safe to carry: control characters become spaces, white space is
 * collapsed, and it is cut to `max` characters (an ellipsis marks the cut). Every string taken
 * from an event passes here before it enters the workflow state or a message.
 */
export function bounded(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}

/** A value the event gave in place of an access key id that no IAM user of this account can own. */
export interface UnusableKey {
  /** The value, bounded and stripped of control characters. */
  readonly value: string;
  readonly reason: 'temporary-credentials' | 'lower-case' | 'not-a-key-id';
}

/**
 * What one AWS event says. Everything in it is a hint: the dispatcher asks IAM who owns each key.
 * Every string is bounded (see {@link bounded}) before it gets here.
 */
export interface Detection {
  readonly source: IncidentSource;
  readonly accountId: string;
  readonly detectedAt: string;
  /** The event's own name of what it reports: a Health event code, the Trusted Advisor check... */
  readonly eventCode: string;
  /** Well-formed IAM access key ids the event names (possibly none). */
  readonly accessKeyIds: string[];
  /** Values named as keys that cannot be a key of an IAM user (ASIA..., lower case, garbage). */
  readonly unusableKeys: UnusableKey[];
  /** The user the event names, when it fits IAM's grammar: a hint, never trusted alone. */
  readonly userName?: string;
  /** What the dispatcher did not take from the event, and why (a bad user name, another account's ARN). */
  readonly ignored: string[];
  /** Role ARNs the event names: a role has no access key; told to people. */
  readonly roles: string[];
  /** Affected entities past {@link MAX_ENTITIES}, not read: told to people. */
  readonly entitiesNotRead?: number;
  /**
   * `keys`: contain the owners of the named keys. `quarantined-user`: AWS quarantined `userName`
   * (CloudTrail attach, or a Health quarantine naming that user). `account-quarantine`: AWS says it
   * quarantined something, naming nothing. `nothing`: the event names no key, user or role.
   */
  readonly kind: 'keys' | 'quarantined-user' | 'account-quarantine' | 'nothing';
  readonly detail: string;
  readonly eventArn?: string;
  readonly awsCaseId?: string;
  readonly leakLocation?: string;
  readonly reporterNote?: string;
  /**
   * The account a report by hand names (12 digits): a hint. The key's account is what STS says
   * (organization mode) or where IAM finds its owner; a message says when the two differ.
   */
  readonly reportedAccountId?: string;
  /** The source marks the report as a generated sample (GuardDuty's sample findings): it is acted on all the same, and people are told. */
  readonly sample?: boolean;
}

const IAM_KEY_ID = /^[A-Z0-9_]{16,128}$/;

/** A string the event gave, bounded; anything else (absent, null, a number) is absent. */
export function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? bounded(value, max) : undefined;
}

/** Sorts one value named as a key: an IAM key id (upper case, not ASIA), else why it is not one. */
export function classifyKey(value: unknown, keys: Set<string>, unusable: UnusableKey[]): void {
  const shown = bounded(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value), 140);
  if (typeof value !== 'string') unusable.push({ value: shown, reason: 'not-a-key-id' });
  else if (/^ASIA/i.test(value)) unusable.push({ value: shown, reason: 'temporary-credentials' });
  else if (IAM_KEY_ID.test(value)) keys.add(value);
  else if (/^\w{16,128}$/.test(value)) unusable.push({ value: shown, reason: 'lower-case' });
  else unusable.push({ value: shown, reason: 'not-a-key-id' });
}

/** A user name hint: kept when it fits IAM's grammar (or is one of the root user's names), else noted. */
export function userHint(value: unknown, ignored: string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && (USER_NAME_PATTERN.test(value) || isRootUserName(value))) return value;
  ignored.push(`user name ${JSON.stringify(bounded(String(value), 80))} is not an IAM user name: not used`);
  return undefined;
}

