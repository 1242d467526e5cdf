// The second look: CloudTrail shows events 5 to 15 minutes late, so after a wait the workflow reads
// the records since the first pass again. Besides new footholds (findFootholds with the sessions the
// first pass knew), it asks: did the leaked key, or anything it created or assumed, act after
// containment? A call that succeeded means containment did not hold.
import { Incident } from '../shared/incident';
import type * as z from 'zod/mini';
import { AfterContainmentSchema, Footholds, UseAfterContainmentSchema } from './contract';
import { callerKeyId, get, isoTime, readRecords, regionOf, str, TrailRecord } from './records';

/** Calls listed after containment, each list (they travel in the workflow state); the counts are always whole. */
export const MAX_USES = 25;

export type UseAfterContainment = z.infer<typeof UseAfterContainmentSchema>;
export type SecondLook = z.infer<typeof AfterContainmentSchema>;

/**
 * The calls made after `containedAt` by the leaked key, its sessions, the access keys and users it
 * created, and sessions of the roles it assumed or created that were issued before `revokedBefore`
 * (a session issued later, of a role it only assumed, is someone's new session, not the attacker's).
 * Every session of a role it created counts: nobody else should be using it.
 */
export function useAfterContainment(
  incident: Pick<Incident, 'accessKeyId'>,
  first: Pick<Footholds, 'footholds' | 'sessions'>,
  input: readonly unknown[],
  containedAt: string,
  revokedBefore: string,
): SecondLook {
  const keys = new Map<string, string>([[incident.accessKeyId, `the leaked key ${incident.accessKeyId}`]]);
  for (const s of first.sessions) keys.set(s.accessKeyId, `session ${s.accessKeyId} the leaked key obtained (${s.via})`);
  const users = new Map<string, string>();
  const roles = new Map<string, { by: string; everySession: boolean }>();
  for (const f of first.footholds) {
    if (f.kind === 'access-key' && f.accessKeyId) keys.set(f.accessKeyId, `access key ${f.accessKeyId} it created for user ${f.userName}`);
    if (f.kind === 'user') users.set(f.userName, `user ${f.userName} it created`);
    if (f.kind === 'assumed-role' && !roles.has(f.roleName)) roles.set(f.roleName, { by: `a session of role ${f.roleName} issued before the revocation`, everySession: false });
    if (f.kind === 'created-role') roles.set(f.roleName, { by: `a session of role ${f.roleName} it created`, everySession: true });
  }
  const after = Date.parse(containedAt);
  const revoked = Date.parse(revokedBefore);
  const who = (r: TrailRecord): string | undefined => {
    const key = callerKeyId(r);
    if (key && keys.has(key)) return keys.get(key);
    const id = r.userIdentity;
    if (id?.type === 'IAMUser' && id.userName && users.has(id.userName)) return users.get(id.userName);
    if (id?.type === 'AssumedRole') {
      const role = roles.get(str(get(id, 'sessionContext', 'sessionIssuer', 'userName')) ?? '');
      const issued = Date.parse(str(get(id, 'sessionContext', 'attributes', 'creationDate')) ?? '');
      // A session whose issue time the record does not give is counted: never assumed to be new.
      if (role && (role.everySession || Number.isNaN(issued) || issued < revoked)) return role.by;
    }
    return undefined;
  };

  const { records, unreadable } = readRecords(input);
  const used: UseAfterContainment[] = [];
  const denied: UseAfterContainment[] = [];
  for (const r of records) {
    if (!(Date.parse(r.eventTime) > after)) continue;
    const by = who(r);
    if (!by) continue;
    const use: UseAfterContainment = { eventId: r.eventID, eventTime: isoTime(r.eventTime), eventSource: r.eventSource, eventName: r.eventName, region: regionOf(r), by };
    const ip = str(r.sourceIPAddress);
    const errorCode = str(r.errorCode);
    if (ip) Object.assign(use, { sourceIp: ip });
    if (errorCode) Object.assign(use, { errorCode });
    (errorCode ? denied : used).push(use);
  }
  return {
    held: used.length === 0,
    used: used.slice(0, MAX_USES),
    usedCount: used.length,
    denied: denied.slice(0, MAX_USES),
    deniedCount: denied.length,
    unreadable,
  };
}

/**
 * What the second look searches CloudTrail by (LookupEvents takes one attribute a call): the key and
 * its sessions and the keys it created by AccessKeyId, its user and the users it created by Username.
 * Calls of role sessions carry neither: they are found through the sessions the key obtained.
 */
export function secondLookLookups(
  incident: Pick<Incident, 'accessKeyId' | 'userName' | 'principalType'>,
  first: Pick<Footholds, 'footholds' | 'sessions'>,
): Array<{ AttributeKey: 'AccessKeyId' | 'Username'; AttributeValue: string }> {
  const keyIds = new Set([incident.accessKeyId, ...first.sessions.map((s) => s.accessKeyId)]);
  const userNames = new Set(incident.principalType === 'root' ? [] : [incident.userName]);
  for (const f of first.footholds) {
    if (f.kind === 'access-key' && f.accessKeyId) keyIds.add(f.accessKeyId);
    if (f.kind === 'user') userNames.add(f.userName);
  }
  return [
    ...[...keyIds].map((AttributeValue) => ({ AttributeKey: 'AccessKeyId' as const, AttributeValue })),
    ...[...userNames].map((AttributeValue) => ({ AttributeKey: 'Username' as const, AttributeValue })),
  ];
}
