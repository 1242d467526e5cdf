// What the dispatcher tells people about each thing it did not act on, with the commands to check it.
import { UnusableKey } from '../shared/events';
import { shellQuote as q, UnresolvedItem } from './notice';

const US_EAST_1 = '--region us-east-1';

function credentialReport(key: string): string {
  return `aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep -i ${q(key)}`;
}

export function unknownKey(key: string): UnresolvedItem {
  return {
    reason: 'unknown-key',
    about: `access key ${key}`,
    finding: 'IAM knows no user with this key (NoSuchEntity): deleted already, mistyped in the report, or a key of another account or partition.',
    commands: [`aws iam get-access-key-last-used --access-key-id ${q(key)}`, `aws sts get-access-key-info --access-key-id ${q(key)}`, credentialReport(key)],
  };
}

export function unusableKey(k: UnusableKey): UnresolvedItem {
  const lookup = `aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${q(k.value)}`;
  switch (k.reason) {
    case 'temporary-credentials':
      return {
        reason: 'temporary-credentials',
        about: `credential ${k.value}`,
        finding: 'an ASIA... id is a temporary session credential, not an IAM user key: find the role or user session that issued it, and revoke that session by hand.',
        commands: [`aws sts get-access-key-info --access-key-id ${q(k.value)}`, lookup],
      };
    case 'lower-case':
      return {
        reason: 'lower-case-key',
        about: `value ${JSON.stringify(k.value)}`,
        finding: 'IAM access key ids are upper case: this value is no key IAM issued as written. Check the original report for the exact id.',
        commands: [credentialReport(k.value)],
      };
    default:
      return {
        reason: 'not-a-key-id',
        about: `value ${JSON.stringify(k.value)}`,
        finding: 'the event names this where an access key id belongs, and it is not one. Check the original report (AWS Health, Trusted Advisor or the support case).',
        commands: ['aws health describe-events --region us-east-1 --filter services=RISK'],
      };
  }
}

export function otherAccountKey(key: string, account: string): UnresolvedItem {
  return {
    reason: 'other-account-key',
    about: `access key ${key}`,
    finding: `STS says this key belongs to account ${account}, not to this one: nothing was changed here. Tell the owners of account ${account}.`,
    commands: [`aws sts get-access-key-info --access-key-id ${q(key)}`, `aws iam get-access-key-last-used --access-key-id ${q(key)}   # run in account ${account}`],
  };
}

export function accessDenied(key: string, account: string | undefined): UnresolvedItem {
  return {
    reason: 'access-denied',
    about: `access key ${key}`,
    finding: `IAM refused to say who owns this key (AccessDenied)${account ? `; STS says it belongs to account ${account}` : ' and STS could not name its account'}. Check the dispatcher's permissions and the key by hand.`,
    commands: [`aws iam get-access-key-last-used --access-key-id ${q(key)}`, `aws sts get-access-key-info --access-key-id ${q(key)}`],
  };
}

export function role(arn: string): UnresolvedItem {
  // role/[path/]name, or assumed-role/name/session.
  const segments = arn.split('/');
  const name = (arn.includes(':assumed-role/') ? segments[1] : segments[segments.length - 1]) || arn;
  return {
    reason: 'role',
    about: `role ${arn}`,
    finding: 'a role has no access key: the responder does not guess which session leaked. Revoke the role\'s active sessions by hand (IAM console, "Revoke active sessions") if its credentials leaked.',
    commands: [`aws iam get-role --role-name ${q(name)}`, `aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${q(name)}`],
  };
}

export function nothingNamed(eventArn: string | undefined, userName?: string): UnresolvedItem {
  const arn = eventArn ? q(eventArn) : '<event ARN>';
  return {
    reason: 'nothing-named',
    about: 'the report',
    finding: userName
      ? `the event names user ${userName} but no access key: the responder does not guess which key leaked. Read the event and its affected entities.`
      : 'the event names no access key and no user of this account: the responder does not guess. Read the event and its affected entities.',
    commands: [`aws health describe-affected-entities --region us-east-1 --filter eventArns=${arn}`, `aws health describe-event-details --region us-east-1 --event-arns ${arn}`],
  };
}

export function entitiesNotRead(count: number, eventArn: string | undefined): UnresolvedItem {
  return {
    ...nothingNamed(eventArn),
    reason: 'entities-not-read',
    about: `${count} more affected entities`,
    finding: 'the event names more affected entities than the dispatcher reads: these were not looked at. Read them and report each key by hand.',
  };
}

export function userNotFound(user: string): UnresolvedItem {
  return {
    reason: 'user-not-found',
    about: `user ${user}`,
    finding: 'IAM knows no such user (NoSuchEntity): deleted since the report?',
    commands: [`aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=Username,AttributeValue=${q(user)}`],
  };
}

export function noActiveKey(user: string): UnresolvedItem {
  return {
    reason: 'no-active-key',
    about: `user ${user}`,
    finding: 'AWS quarantined this user, and it has no active access key: nothing to set Inactive. Check its sessions, console password and what it created.',
    commands: [`aws iam list-access-keys --user-name ${q(user)}`, `aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=Username,AttributeValue=${q(user)}`],
  };
}

export function noRecentQuarantine(windowHours: number): UnresolvedItem {
  return {
    reason: 'no-recent-quarantine',
    about: 'the account',
    finding: `AWS says it quarantined something, and CloudTrail shows no AWS quarantine policy attached to a user in the ${windowHours} h before the event: the responder does not guess which user.`,
    commands: [
      `aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=EventName,AttributeValue=AttachUserPolicy`,
      `aws cloudtrail lookup-events ${US_EAST_1} --lookup-attributes AttributeKey=EventName,AttributeValue=PutUserPolicy`,
    ],
  };
}

export function quarantinedEarlier(user: string, activeKeys: readonly string[]): UnresolvedItem {
  return {
    reason: 'not-recently-quarantined',
    about: `user ${user}`,
    finding: `carries an AWS quarantine policy attached earlier than the window: left unchanged. Active keys: ${activeKeys.length ? activeKeys.join(', ') : 'none'}.`,
    commands: [
      `aws iam list-attached-user-policies --user-name ${q(user)}`,
      ...activeKeys.map((k) => `aws iam update-access-key --user-name ${q(user)} --access-key-id ${q(k)} --status Inactive`),
    ],
  };
}

export function notContainedTooMany(user: string): UnresolvedItem {
  return {
    reason: 'too-many-users',
    about: `user ${user}`,
    finding: 'AWS quarantined this user within the window, with more users than one event contains: not contained by this event. Set its active keys Inactive by hand.',
    commands: [`aws iam list-access-keys --user-name ${q(user)}`],
  };
}

export function lookupTruncated(windowHours: number): UnresolvedItem {
  return {
    reason: 'lookup-truncated',
    about: 'CloudTrail',
    finding: `more policy attach events in the ${windowHours} h window than the dispatcher reads: the oldest were not looked at. Check them for AWS quarantine policies by hand.`,
    commands: noRecentQuarantine(windowHours).commands,
  };
}

/** Said whenever the quarantine fan-out looked at CloudTrail. */
export const CLOUDTRAIL_DELAY_NOTE =
  'CloudTrail shows events 5 to 15 minutes late: a quarantine attached just now may not be listed yet. The responder\'s CloudTrail quarantine rule reacts to each new attachment on its own.';
