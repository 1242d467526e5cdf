// From what an event says to the keys to contain: IAM decides who owns what, nothing is guessed.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { Detection } from '../shared/events';
import { isRootUserName } from '../shared/incident';
import * as items from './items';
import { UnresolvedItem } from './notice';
import { activeKeysOf, keysOf, OwnerDeps, ownerOf, quarantinedUsers } from './owners';
import { recentlyQuarantinedUsers } from './recent-quarantines';

/** One key to contain, and whose it is (IAM's word). */
export interface Target {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly principalType: 'user' | 'root';
  /** The user the event named when IAM says the key is someone else's: never acted on. */
  readonly reportedUserName?: string;
  /** What IAM answered GetAccessKeyLastUsed when ListAccessKeys of the named user confirmed the owner instead. */
  readonly ownerLookupError?: string;
}

export interface Resolution {
  readonly targets: Target[];
  /** What resolved to no key of this account: told to people as an unresolved exposure. */
  readonly unresolved: UnresolvedItem[];
  /** Next to a started response, what a person should look at (users quarantined earlier). */
  readonly check: UnresolvedItem[];
  readonly notes: string[];
}

export interface ResolveDeps extends OwnerDeps {
  readonly cloudtrail: CloudTrailClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly quarantineWindowHours: number;
}

/** Users listed in one message at most: the rest are counted. */
const MAX_USERS = 20;
/** Users one quarantine event contains at most (a bound on the dispatcher's run time). */
const MAX_CONTAINED_USERS = 50;

export async function resolveTargets(d: Detection, deps: ResolveDeps, now: Date): Promise<Resolution> {
  const r: Resolution = { targets: [], unresolved: [], check: [], notes: [] };
  r.unresolved.push(...d.unusableKeys.map(items.unusableKey), ...d.roles.map(items.role));
  if (d.entitiesNotRead) r.unresolved.push(items.entitiesNotRead(d.entitiesNotRead, d.eventArn));
  switch (d.kind) {
    case 'keys':
      for (const key of d.accessKeyIds) await resolveKey(key, d.accessKeyIds.length === 1 ? d.userName : undefined, deps, r);
      break;
    case 'quarantined-user':
      await resolveQuarantinedUser(d, deps, now, r);
      break;
    case 'account-quarantine':
      await resolveAccountQuarantine(d, deps, now, r);
      break;
    case 'nothing':
      if (r.unresolved.length === 0) r.unresolved.push(items.nothingNamed(d.eventArn, d.userName));
      break;
  }
  return r;
}

async function resolveKey(accessKeyId: string, hint: string | undefined, deps: ResolveDeps, r: Resolution): Promise<void> {
  const owner = await ownerOf(accessKeyId, deps);
  if (owner.kind === 'user') {
    const root = isRootUserName(owner.userName);
    const sameName = hint !== undefined && (hint.toLowerCase() === owner.userName.toLowerCase() || (root && isRootUserName(hint)));
    r.targets.push({
      accessKeyId,
      userName: root ? 'root' : owner.userName,
      principalType: root ? 'root' : 'user',
      ...(hint && !sameName ? { reportedUserName: hint } : {}),
    });
  } else if (owner.kind !== 'other-account' && owner.error && hint && !isRootUserName(hint) && (await listedUnder(hint, accessKeyId, deps))) {
    // IAM refused GetAccessKeyLastUsed (AccessDenied) or said it knows no such key (NoSuchEntity)
    // but lists the key under the user the event named: that listing is IAM's own word on the
    // owner, so the key is contained on it, and the record says how the owner was confirmed.
    deps.logger.warn('owner confirmed by ListAccessKeys after GetAccessKeyLastUsed failed', { accessKeyId, userName: hint, error: owner.error });
    r.targets.push({ accessKeyId, userName: hint, principalType: 'user', ownerLookupError: owner.error });
  } else if (owner.kind === 'unknown' && hint && isRootUserName(hint)) {
    // A root key is not an IAM user's: Trusted Advisor's root names are the only word on it. The
    // workflow changes nothing of the root user and tells people what to do.
    r.targets.push({ accessKeyId, userName: 'root', principalType: 'root' });
  } else if (owner.kind === 'unknown') {
    r.unresolved.push(items.unknownKey(accessKeyId));
  } else if (owner.kind === 'other-account') {
    r.unresolved.push(items.otherAccountKey(accessKeyId, owner.accountId));
  } else {
    r.unresolved.push(items.accessDenied(accessKeyId, owner.accountId));
  }
}

/** Whether IAM lists the key among the user's own (a user IAM does not know lists nothing). */
async function listedUnder(userName: string, accessKeyId: string, deps: ResolveDeps): Promise<boolean> {
  try {
    return ((await keysOf(userName, deps.iam)) ?? []).some((k) => k.accessKeyId === accessKeyId);
  } catch {
    return false;
  }
}

async function addActiveKeys(userName: string, deps: ResolveDeps, r: Resolution): Promise<void> {
  const keys = await activeKeysOf(userName, deps.iam);
  if (keys === undefined) r.unresolved.push(items.userNotFound(userName));
  else if (keys.length === 0) r.unresolved.push(items.noActiveKey(userName));
  else r.targets.push(...keys.map((accessKeyId) => ({ accessKeyId, userName, principalType: 'user' as const })));
}

/**
 * AWS quarantined one user. CloudTrail's record of the attach is AWS acting on it; a Health
 * quarantine naming the user counts only when CloudTrail shows the attach on that user within the
 * window, as for a Health quarantine naming nobody.
 */
async function resolveQuarantinedUser(d: Detection, deps: ResolveDeps, now: Date, r: Resolution): Promise<void> {
  const userName = d.userName!;
  if (d.source === 'health') {
    const recent = await recentlyQuarantinedUsers(eventTime(d, now), deps.quarantineWindowHours, deps);
    r.notes.push(items.CLOUDTRAIL_DELAY_NOTE);
    if (!recent.users.some((u) => u.toLowerCase() === userName.toLowerCase())) {
      r.unresolved.push({
        ...items.quarantinedEarlier(userName, []),
        finding: `AWS Health names this user as quarantined, and CloudTrail shows no AWS quarantine policy attached to it in the ${deps.quarantineWindowHours} h before the event: left unchanged.`,
      });
      return;
    }
  }
  await addActiveKeys(userName, deps, r);
}

function eventTime(d: Detection, now: Date): Date {
  return Number.isNaN(Date.parse(d.detectedAt)) ? now : new Date(d.detectedAt);
}

/** AWS_RISK_IAM_QUARANTINE naming nothing: contain only the users AWS quarantined within the window. */
async function resolveAccountQuarantine(d: Detection, deps: ResolveDeps, now: Date, r: Resolution): Promise<void> {
  const recent = await recentlyQuarantinedUsers(eventTime(d, now), deps.quarantineWindowHours, deps);
  const recentLower = new Set(recent.users.map((u) => u.toLowerCase()));
  for (const user of recent.users.slice(0, MAX_CONTAINED_USERS)) await addActiveKeys(user, deps, r);
  r.check.push(...recent.users.slice(MAX_CONTAINED_USERS).map(items.notContainedTooMany));
  const earlier = (await quarantinedUsers(deps.iam)).filter((u) => !recentLower.has(u.toLowerCase()));
  const earlierItems: UnresolvedItem[] = [];
  for (const user of earlier.slice(0, MAX_USERS)) earlierItems.push(items.quarantinedEarlier(user, (await activeKeysOf(user, deps.iam)) ?? []));
  if (recent.users.length === 0) r.unresolved.push(items.noRecentQuarantine(deps.quarantineWindowHours), ...earlierItems);
  else r.check.push(...earlierItems);
  if (earlier.length > MAX_USERS) r.notes.push(`${earlier.length - MAX_USERS} more users carry an AWS quarantine policy and are not listed.`);
  if (recent.truncated) r.check.push(items.lookupTruncated(deps.quarantineWindowHours));
  r.notes.push(items.CLOUDTRAIL_DELAY_NOTE);
}
