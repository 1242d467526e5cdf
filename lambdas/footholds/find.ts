import { Incident } from '../shared/incident';
import { DerivedSession, Foothold, FootholdKind, Footholds, MAX_FOOTHOLDS, MAX_SESSIONS, Proof } from './contract';
import { callerKeyId, get, isoTime, items, proofOf, readRecords, regionOf, request, response, str, tagsOf, TrailRecord } from './records';
import { isReportedEvent, permissionChange, reportedResource } from './resources';

/** The STS calls whose credentials are followed: the sessions they return act for the leaked key. */
const SESSION_CALLS = new Set(['GetSessionToken', 'GetFederationToken', 'AssumeRole']);

/** The user name a root access key is listed under (CreateAccessKey by the root user, without a UserName). */
export const ROOT = '<root>';

/** IAM, STS and EC2 events that make a foothold this file reads (the reported ones: {@link isReportedEvent}). */
const FOOTHOLD_EVENTS = new Set([
  'CreateAccessKey', 'CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'CreateRole', 'CreateServiceSpecificCredential',
  'AssumeRole', 'RunInstances', 'StartInstances',
]);

/** Listed in this order when {@link MAX_FOOTHOLDS} bites: what can be contained first. */
export const KIND_ORDER: readonly FootholdKind[] = [
  'access-key', 'user', 'login-profile', 'assumed-role', 'created-role', 'service-credential', 'instance',
  'external-role', 'permission-change', 'resource',
];

/**
 * What CloudTrail ties to the leaked key: the footholds created, assumed or opened by successful
 * calls signed with the key, or with a session it obtained (GetSessionToken, GetFederationToken,
 * AssumeRole: their `credentials.accessKeyId`), followed one level. A call by any other caller is
 * never a foothold, whatever it created and whenever. Pure: the records are all it reads.
 *
 * `knownSessions`: the sessions an earlier pass found (the second look reads only the records
 * since the first pass, where a session obtained before it still acts for the key). They are
 * followed too, and listed first in `sessions`.
 */
export function findFootholds(
  incident: Pick<Incident, 'accessKeyId' | 'userName' | 'accountId'>,
  input: readonly unknown[],
  knownSessions: readonly DerivedSession[] = [],
): Footholds {
  const { records, unreadable } = readRecords(input);
  const derived = derivedSessions(incident.accessKeyId, records);
  const gaps = derived.gaps;
  const sessions = [...knownSessions, ...derived.sessions.filter((s) => !knownSessions.some((k) => k.accessKeyId === s.accessKeyId))];
  const callers = new Set([incident.accessKeyId, ...sessions.map((s) => s.accessKeyId)]);
  const found = new Map<string, Foothold>();
  let tied = 0;
  for (const record of records) {
    const caller = callerKeyId(record);
    if (!caller || !callers.has(caller)) continue;
    tied += 1;
    if (str(record.errorCode)) continue; // a failed call creates nothing
    const proven = footholdsOf(record, proofOf(record, caller), incident);
    if (proven.length === 0 && (FOOTHOLD_EVENTS.has(record.eventName) || isReportedEvent(record.eventName))) {
      // CloudTrail leaves out large responses: what the call made is unknown, never guessed.
      gaps.push(`${record.eventName} at ${isoTime(record.eventTime)} in ${regionOf(record)} (event ${record.eventID}): the record does not say what it created or changed: check it by hand`);
    }
    for (const foothold of proven) {
      const key = identity(foothold);
      if (!found.has(key)) found.set(key, foothold); // records are oldest first: the first proof is kept
    }
  }
  const { footholds, truncated } = bound([...found.values()]);
  if (sessions.length > MAX_SESSIONS) {
    truncated.push(`sessions: ${sessions.length} obtained by the key, the first ${MAX_SESSIONS} listed (all were followed here); a second look follows only those listed`);
  }
  return { footholds, sessions: sessions.slice(0, MAX_SESSIONS), records: { read: input.length, unreadable, tied }, truncated, gaps };
}

/**
 * The sessions (ASIA key ids) the leaked key obtained, from the records found by its key id: the
 * investigation looks their calls up too (LookupEvents by AccessKeyId), since calls of a role or
 * federated session carry neither the key's id nor its user's name.
 */
export function sessionsToFollow(accessKeyId: string, input: readonly unknown[]): DerivedSession[] {
  return derivedSessions(accessKeyId, readRecords(input).records).sessions;
}

/** Sessions the leaked key itself obtained (one level: a session's own sessions are not followed). */
function derivedSessions(keyId: string, records: TrailRecord[]): { sessions: DerivedSession[]; gaps: string[] } {
  const sessions = new Map<string, DerivedSession>();
  const gaps: string[] = [];
  for (const record of records) {
    if (callerKeyId(record) !== keyId || str(record.errorCode) || !SESSION_CALLS.has(record.eventName)) continue;
    if (record.eventSource !== 'sts.amazonaws.com') continue;
    const accessKeyId = str(get(response(record), 'credentials', 'accessKeyId'));
    if (!accessKeyId) {
      gaps.push(`${record.eventName} at ${isoTime(record.eventTime)} (event ${record.eventID}): the record does not say which session it returned, so that session's calls are not followed`);
      continue;
    }
    if (accessKeyId === keyId || sessions.has(accessKeyId)) continue;
    const as = str(request(record).roleArn) ?? str(get(response(record), 'federatedUser', 'arn'));
    const session: DerivedSession = { accessKeyId, via: record.eventName as DerivedSession['via'], proof: proofOf(record, keyId) };
    if (as) session.as = as;
    sessions.set(accessKeyId, session);
  }
  return { sessions: [...sessions.values()], gaps };
}

/** The footholds one successful, tied record proves. */
function footholdsOf(record: TrailRecord, proof: Proof, incident: Pick<Incident, 'userName' | 'accountId'>): Foothold[] {
  const p = request(record);
  const re = response(record);
  // Without a UserName, IAM acts on the caller's own user: the leaked key's user, or a
  // GetSessionToken session's user (IAMUser identity); a role session has no user to act on.
  const type = record.userIdentity?.type;
  const ownUser = type === 'IAMUser' ? (str(record.userIdentity?.userName) ?? incident.userName) : type === 'Root' ? ROOT : undefined;
  const source = record.eventSource;
  if (source === 'iam.amazonaws.com') return iamFootholds(record, proof, ownUser);
  if (source === 'sts.amazonaws.com' && record.eventName === 'AssumeRole') {
    const roleArn = str(p.roleArn);
    if (!roleArn) return [];
    return assumedRole(roleArn, str(p.roleSessionName), str(get(re, 'credentials', 'accessKeyId')), incident.accountId, proof);
  }
  if (source === 'ec2.amazonaws.com' && (record.eventName === 'RunInstances' || record.eventName === 'StartInstances')) {
    return instances(record, proof);
  }
  const resource = reportedResource(record, proof);
  return resource ? [resource] : [];
}

function iamFootholds(record: TrailRecord, proof: Proof, ownUser: string | undefined): Foothold[] {
  const p = request(record);
  const re = response(record);
  switch (record.eventName) {
    case 'CreateAccessKey': {
      const userName = str(get(re, 'accessKey', 'userName')) ?? str(p.userName) ?? ownUser;
      if (!userName) return [];
      const accessKeyId = str(get(re, 'accessKey', 'accessKeyId'));
      return [accessKeyId ? { kind: 'access-key', userName, accessKeyId, proof } : { kind: 'access-key', userName, proof }];
    }
    case 'CreateUser': {
      const userName = str(p.userName) ?? str(get(re, 'user', 'userName'));
      if (!userName) return [];
      const foothold: Foothold = { kind: 'user', userName, proof };
      const path = str(p.path) ?? str(get(re, 'user', 'path'));
      const tags = tagsOf(p.tags);
      if (path) foothold.path = path;
      if (tags) foothold.tags = tags;
      return [foothold];
    }
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile': {
      const userName = str(p.userName) ?? str(get(re, 'loginProfile', 'userName')) ?? ownUser;
      return userName ? [{ kind: 'login-profile', userName, proof }] : [];
    }
    case 'CreateRole': {
      const roleName = str(p.roleName) ?? str(get(re, 'role', 'roleName'));
      if (!roleName) return [];
      const foothold: Foothold = { kind: 'created-role', roleName, proof };
      const trusted = trustedPrincipals(p.assumeRolePolicyDocument);
      if (trusted) foothold.trustedPrincipals = trusted;
      const roleArn = str(get(re, 'role', 'arn'));
      const path = str(p.path) ?? str(get(re, 'role', 'path'));
      const tags = tagsOf(p.tags);
      if (roleArn) foothold.roleArn = roleArn;
      if (path) foothold.path = path;
      if (tags) foothold.tags = tags;
      return [foothold];
    }
    case 'CreateServiceSpecificCredential': {
      const credential = get(re, 'serviceSpecificCredential');
      const userName = str(get(credential, 'userName')) ?? str(p.userName);
      const serviceName = str(get(credential, 'serviceName')) ?? str(p.serviceName);
      if (!userName || !serviceName) return [];
      const credentialId = str(get(credential, 'serviceSpecificCredentialId'));
      return [credentialId ? { kind: 'service-credential', userName, serviceName, credentialId, proof } : { kind: 'service-credential', userName, serviceName, proof }];
    }
    default:
      return permissionChange(record, proof);
  }
}

function assumedRole(roleArn: string, sessionName: string | undefined, sessionKeyId: string | undefined, accountId: string, proof: Proof): Foothold[] {
  // arn:partition:iam::account:role/path/name
  const [, , , , roleAccount = '', resource = ''] = roleArn.split(':');
  if (roleAccount !== accountId || !resource.startsWith('role/')) {
    const external: Foothold = { kind: 'external-role', roleArn, accountId: roleAccount || 'unknown', proof };
    if (sessionName) external.sessionName = sessionName;
    return [external];
  }
  const parts = resource.split('/');
  const roleName = parts[parts.length - 1];
  if (!roleName) return [];
  const path = `/${parts.slice(1, -1).map((s) => `${s}/`).join('')}`;
  const foothold: Foothold = { kind: 'assumed-role', roleArn, roleName, path, proof };
  if (sessionName) foothold.sessionName = sessionName;
  if (sessionKeyId) foothold.sessionKeyId = sessionKeyId;
  return [foothold];
}

function instances(record: TrailRecord, proof: Proof): Foothold[] {
  const region = regionOf(record);
  if (record.eventName === 'RunInstances') {
    const requestedType = str(request(record).instanceType);
    return items(response(record), 'instancesSet').flatMap((item) => {
      const instanceId = str(item.instanceId);
      if (!instanceId) return [];
      const foothold: Foothold = { kind: 'instance', region, instanceId, via: 'RunInstances', proof };
      const instanceType = str(item.instanceType) ?? requestedType;
      const launchTime = launchTimeOf(item.launchTime) ?? proof.eventTime;
      if (instanceType) foothold.instanceType = instanceType;
      foothold.launchTime = launchTime;
      return [foothold];
    });
  }
  return items(request(record), 'instancesSet').flatMap((item) => {
    const instanceId = str(item.instanceId);
    return instanceId ? [{ kind: 'instance' as const, region, instanceId, via: 'StartInstances' as const, launchTime: proof.eventTime, proof }] : [];
  });
}

/** EC2 writes launchTime as epoch milliseconds in CloudTrail; some records carry an ISO string. */
function launchTimeOf(value: unknown): string | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The principals a trust policy (a JSON string in CreateRole's record) names; undefined when it cannot be read. */
function trustedPrincipals(document: unknown): string[] | undefined {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  const statement = get(doc, 'Statement');
  if (!statement || typeof statement !== 'object') return undefined;
  const statements = Array.isArray(statement) ? statement : [statement];
  const found = new Set<string>();
  for (const s of statements) {
    if (get(s, 'Effect') !== 'Allow') continue;
    const principal = get(s, 'Principal');
    if (principal === '*') found.add('*');
    else if (principal && typeof principal === 'object') {
      for (const value of Object.values(principal)) for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') found.add(v);
    }
  }
  return [...found].sort();
}

/** One foothold, one identity: two records of the same thing are one foothold. */
export function identity(f: Foothold): string {
  switch (f.kind) {
    case 'access-key':
      return `access-key ${f.userName} ${f.accessKeyId ?? f.proof.eventId}`;
    case 'user':
    case 'login-profile':
      return `${f.kind} ${f.userName}`;
    case 'assumed-role':
    case 'external-role':
      return `role ${f.roleArn}`;
    case 'created-role':
      return `created-role ${f.roleName}`;
    case 'permission-change':
      return `change ${f.proof.eventName} ${f.target} ${JSON.stringify(f.values)}`;
    case 'service-credential':
      return `service-credential ${f.userName} ${f.credentialId ?? f.proof.eventId}`;
    case 'instance':
      return `instance ${f.region} ${f.instanceId}`;
    case 'resource':
      return `resource ${f.type} ${f.region} ${f.name} ${JSON.stringify(f.values)}`;
  }
}

function bound(all: Foothold[]): { footholds: Foothold[]; truncated: string[] } {
  if (all.length <= MAX_FOOTHOLDS) return { footholds: all, truncated: [] };
  const rank = (f: Foothold) => KIND_ORDER.indexOf(f.kind);
  const kept = [...all].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_FOOTHOLDS);
  const keptSet = new Set(kept);
  const left = new Map<string, number>();
  for (const f of all) if (!keptSet.has(f)) left.set(f.kind, (left.get(f.kind) ?? 0) + 1);
  const omitted = [...left].map(([kind, n]) => `${n} ${kind}`).join(', ');
  return {
    footholds: kept,
    truncated: [`footholds: ${all.length} found, the first ${MAX_FOOTHOLDS} listed (containable kinds first); left out: ${omitted}. They are in the CloudTrail activity and are NOT contained`],
  };
}
