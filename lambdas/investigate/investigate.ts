import { CloudTrailClient, Event as TrailEvent, LookupAttribute, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, describeError, isTransientAwsError } from '../shared/errors';
import { isAwsQuarantinePolicyArn, LEGACY_QUARANTINE_INLINE_POLICY } from '../shared/events';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { RESPONDER_POLICY_PATH } from '../shared/policies';
import { HIGH_RISK_ACTIONS, Investigation, LIMITS, NotableEvent, NOTABLE_EVENT_NAMES, SSE_C_HEADER } from './contract';

export { HIGH_RISK_ACTIONS, LIMITS, NOTABLE_EVENT_NAMES, SSE_C_HEADER };
export type { Investigation, NotableEvent };

export interface InvestigateConfig {
  /** The incident bucket: the full activity goes to `incidents/<incidentId>/activity.jsonl`. */
  readonly bucket: string;
  /** How far back CloudTrail is searched, 1 to 90 days. */
  readonly lookbackDays: number;
  /** Said in the output; the investigation only reads, so it behaves the same. */
  readonly dryRun: boolean;
}

export interface InvestigateDeps {
  /** One CloudTrail client per region (LookupEvents is regional). */
  readonly cloudtrail: (region: string) => CloudTrailClient;
  /** In us-east-1: DescribeRegions. */
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly logger: Log;
  readonly config: InvestigateConfig;
  readonly now?: () => Date;
  /** Waits between CloudTrail calls and before retries; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * When to stop paging CloudTrail (epoch ms): the handler sets it before the Lambda's time limit,
   * so a very busy key gives a partial answer (saved, summarised, its gap reported) rather than a
   * timeout that loses everything.
   */
  readonly deadline?: number;
}

/** IAM and STS events are in us-east-1's CloudTrail only: always searched. */
export const HOME_REGION = 'us-east-1';
/** LookupEvents allows 2 requests a second per account and region: calls in one region are spaced this much. */
export const LOOKUP_SPACING_MS = 500;
/** LookupEvents returns 50 events a page at most. */
export const LOOKUP_PAGE_SIZE = 50;
/** A throttled or failing call is tried this many times in all, waiting 1 s, 2 s, 4 s, 8 s between. */
export const MAX_ATTEMPTS = 5;
export const BACKOFF_BASE_MS = 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const NOTABLE = new Set(NOTABLE_EVENT_NAMES);
/** Connection failures the SDK reports without an AWS error code: worth another try too. */
const NETWORK_ERRORS = new Set(['TimeoutError', 'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

type Json = Record<string, unknown>;
type Failure = Investigation['failures'][number];
type Reach = Investigation['reach'];
type LeftBehind = Investigation['leftBehind'];

/** One CloudTrail event, found in `region`, its record parsed from `CloudTrailEvent`. */
interface Activity {
  readonly eventId: string;
  readonly region: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly record: Json;
}

interface Context {
  readonly deps: InvestigateDeps;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * After containment: what the key did (CloudTrail, every enabled region, by key id and by user
 * name), what it can do (its user's policies, simulated on {@link HIGH_RISK_ACTIONS}) and what it
 * left behind (users, keys, login profiles, roles, policies, instances). Read-only.
 *
 * It never throws for AWS: containment is already done and must stand whatever this finds, so a
 * region, a permission or an object that could not be read is a `failures` entry and the rest is
 * reported. Throttling is waited out here (spacing and exponential backoff), not by the workflow.
 */
export async function investigate(incident: Incident, deps: InvestigateDeps): Promise<Investigation> {
  const ctx: Context = { deps, sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))) };
  const { config, logger } = deps;
  const to = (deps.now ?? (() => new Date()))();
  const from = new Date(to.getTime() - config.lookbackDays * DAY_MS);
  const isRoot = incident.principalType === 'root';

  const regionsFound = await enabledRegions(ctx);
  const regions = regionsFound.regions;
  logger.info('investigating', { regions: regions.length, lookbackDays: config.lookbackDays, byUserName: !isRoot });

  const [searches, reach] = await Promise.all([
    Promise.all(regions.map((region) => searchRegion(incident, region, from, to, ctx))),
    assessReach(incident, ctx),
  ]);

  // The two lookups overlap (a call signed with the key names the user too): one event, one entry.
  const byId = new Map<string, Activity>();
  for (const search of searches) for (const event of search.events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  const events = [...byId.values()].sort((a, b) => compare(a.eventTime, b.eventTime) || compare(a.eventId, b.eventId));

  const saved = await saveActivity(incident, events, ctx);
  const summary = summarise(events);
  const failures: Failure[] = [
    ...regionsFound.failures,
    ...searches.flatMap((s) => s.failures),
    ...reach.failures,
    ...saved.failures,
  ];

  const result: Investigation = {
    lookback: { from: from.toISOString(), to: to.toISOString(), days: config.lookbackDays },
    regions,
    pages: searches.reduce((n, s) => n + s.pages, 0),
    eventCount: events.length,
    firstSeen: events[0]?.eventTime,
    lastSeen: events[events.length - 1]?.eventTime,
    byRegion: summary.byRegion,
    byService: summary.byService,
    sourceIps: summary.sourceIps,
    userAgents: summary.userAgents,
    notable: summary.notable,
    leftBehind: summary.leftBehind,
    reach: reach.reach,
    activityObject: saved.activityObject,
    failures,
    truncated: summary.truncated,
    dryRun: config.dryRun,
  };
  if (result.firstSeen === undefined) delete result.firstSeen;
  if (result.lastSeen === undefined) delete result.lastSeen;
  if (result.activityObject === undefined) delete result.activityObject;

  for (const failure of failures) logger.warn('investigation incomplete', failure);
  logger.info('investigated', {
    regions: regions.length,
    pages: result.pages,
    eventCount: result.eventCount,
    notable: result.notable.length,
    leftBehind: {
      users: result.leftBehind.users.length,
      accessKeys: result.leftBehind.accessKeys.length,
      loginProfiles: result.leftBehind.loginProfiles.length,
      roles: result.leftBehind.roles.length,
      policies: result.leftBehind.policies.length,
      instances: result.leftBehind.instances.length,
    },
    allowedHighRisk: result.reach.allowedHighRisk.length,
    failures: failures.length,
  });
  return result;
}

// --- regions -------------------------------------------------------------------------------------

/** Every region enabled in the account (DescribeRegions without AllRegions), us-east-1 first and always. */
async function enabledRegions(ctx: Context): Promise<{ regions: string[]; failures: Failure[] }> {
  try {
    const out = await withBackoff(ctx, 'ec2:DescribeRegions', () => ctx.deps.ec2.send(new DescribeRegionsCommand({ AllRegions: false })));
    const names = (out.Regions ?? []).map((r) => r.RegionName).filter((r): r is string => !!r && r !== HOME_REGION);
    return { regions: [HOME_REGION, ...[...new Set(names)].sort()], failures: [] };
  } catch (err) {
    return { regions: [HOME_REGION], failures: [{ what: 'ec2:DescribeRegions', error: `${errorText(err)}: searched ${HOME_REGION} only` }] };
  }
}

// --- activity ------------------------------------------------------------------------------------

interface RegionSearch {
  readonly events: Activity[];
  readonly pages: number;
  readonly failures: Failure[];
}

/**
 * One region: LookupEvents by AccessKeyId, then by Username (not for root: "root" names no user),
 * each paged to the end. Calls are one at a time and {@link LOOKUP_SPACING_MS} apart (2 requests a
 * second per region); regions are searched side by side. A lookup that still fails after its
 * backoff ends the region's search: what was found is kept and the gap is a failure.
 */
async function searchRegion(incident: Incident, region: string, from: Date, to: Date, ctx: Context): Promise<RegionSearch> {
  const client = ctx.deps.cloudtrail(region);
  const lookups: LookupAttribute[] = [{ AttributeKey: 'AccessKeyId', AttributeValue: incident.accessKeyId }];
  // Sessions derived from the key (GetSessionToken: ASIA...) do not carry its id, only the user's name.
  if (incident.principalType !== 'root') lookups.push({ AttributeKey: 'Username', AttributeValue: incident.userName });
  const events: Activity[] = [];
  let pages = 0;
  let calls = 0;
  for (const attribute of lookups) {
    let nextToken: string | undefined;
    let lookupPages = 0;
    try {
      do {
        if (calls++ > 0) await ctx.sleep(LOOKUP_SPACING_MS);
        const deadline = ctx.deps.deadline;
        if (deadline !== undefined && Date.now() >= deadline) {
          throw new Error('stopped before the Lambda time limit: the key has more activity than one investigation can page');
        }
        const out = await withBackoff(ctx, `cloudtrail:LookupEvents ${region}`, () =>
          client.send(
            new LookupEventsCommand({
              LookupAttributes: [attribute],
              StartTime: from,
              EndTime: to,
              MaxResults: LOOKUP_PAGE_SIZE,
              NextToken: nextToken,
            }),
          ),
        );
        pages++;
        lookupPages++;
        for (const event of out.Events ?? []) events.push(toActivity(event, region));
        nextToken = out.NextToken || undefined;
      } while (nextToken);
    } catch (err) {
      ctx.deps.logger.debug('region search stopped', { region, lookup: attribute.AttributeKey, pages: lookupPages });
      return {
        events,
        pages,
        failures: [
          {
            what: `cloudtrail:LookupEvents ${region}`,
            error: clip(`${errorText(err)} (lookup by ${attribute.AttributeKey}, after ${lookupPages} page(s)): ${region}'s activity is incomplete, ${events.length} event(s) of it kept`, 400),
          },
        ],
      };
    }
  }
  ctx.deps.logger.debug('region searched', { region, pages, events: events.length });
  return { events, pages, failures: [] };
}

function toActivity(event: TrailEvent, region: string): Activity {
  let record: Json | undefined;
  if (event.CloudTrailEvent) {
    try {
      const parsed: unknown = JSON.parse(event.CloudTrailEvent);
      if (isObject(parsed)) record = parsed;
    } catch {
      // Kept from the lookup's own fields below.
    }
  }
  record ??= {
    eventID: event.EventId,
    eventTime: event.EventTime?.toISOString(),
    eventSource: event.EventSource,
    eventName: event.EventName,
    userIdentity: { accessKeyId: event.AccessKeyId, userName: event.Username },
  };
  const rawTime = str(record.eventTime) ?? event.EventTime?.toISOString() ?? '';
  const time = Date.parse(rawTime);
  return {
    eventId: event.EventId ?? str(record.eventID) ?? JSON.stringify(record),
    region,
    eventTime: Number.isNaN(time) ? rawTime : new Date(time).toISOString(),
    eventSource: str(record.eventSource) ?? event.EventSource ?? 'unknown',
    eventName: str(record.eventName) ?? event.EventName ?? 'unknown',
    record,
  };
}

/** The full activity, one CloudTrail record (plus the region it was found in) a line, oldest first. */
async function saveActivity(incident: Incident, events: Activity[], ctx: Context): Promise<{ activityObject?: string; failures: Failure[] }> {
  const { bucket } = ctx.deps.config;
  const key = `incidents/${incident.incidentId}/activity.jsonl`;
  const body = events.map((e) => `${JSON.stringify({ ...e.record, region: e.region })}\n`).join('');
  try {
    await withBackoff(ctx, 's3:PutObject', () =>
      ctx.deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' })),
    );
    return { activityObject: `s3://${bucket}/${key}`, failures: [] };
  } catch (err) {
    return { failures: [{ what: `s3:PutObject s3://${bucket}/${key}`, error: `${errorText(err)}: the full activity (${events.length} event(s)) was not saved` }] };
  }
}

// --- summary -------------------------------------------------------------------------------------

interface Summary {
  byRegion: Record<string, number>;
  byService: Record<string, number>;
  sourceIps: Investigation['sourceIps'];
  userAgents: Investigation['userAgents'];
  notable: NotableEvent[];
  leftBehind: LeftBehind;
  truncated: string[];
}

function summarise(events: Activity[]): Summary {
  const byRegion: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const ips = new Map<string, number>();
  const agents = new Map<string, number>();
  const notable: NotableEvent[] = [];
  const left = new LeftBehindCollector();
  for (const event of events) {
    byRegion[event.region] = (byRegion[event.region] ?? 0) + 1;
    byService[event.eventSource] = (byService[event.eventSource] ?? 0) + 1;
    const ip = str(event.record.sourceIPAddress);
    if (ip) ips.set(ip, (ips.get(ip) ?? 0) + 1);
    const agent = str(event.record.userAgent);
    if (agent) agents.set(agent, (agents.get(agent) ?? 0) + 1);
    if (isNotable(event)) notable.push(toNotable(event));
    if (!str(event.record.errorCode)) left.add(event);
  }
  // Lists cut to keep the output small are said in `truncated`: not a failure, nothing is missing
  // from the activity object.
  const truncated: string[] = [];
  const picked = pickNotable(notable);
  if (picked.length < notable.length) {
    truncated.push(`notable: ${notable.length} notable events, ${picked.length} listed (each kind at least once, successful calls first): all are in the activity object`);
  }
  const leftBehind = left.result(truncated);
  return {
    byRegion: sortedRecord(byRegion),
    byService: sortedRecord(byService),
    sourceIps: top(ips),
    userAgents: top(agents),
    notable: picked,
    leftBehind,
    truncated,
  };
}

function isNotable(event: Activity): boolean {
  if (NOTABLE.has(event.eventName)) return true;
  // SSE-C: objects rewritten with a key only the attacker holds (the ransom pattern).
  return (
    event.eventSource === 's3.amazonaws.com' &&
    (event.eventName === 'CopyObject' || event.eventName === 'PutObject') &&
    isObject(event.record.requestParameters) &&
    event.record.requestParameters[SSE_C_HEADER] !== undefined
  );
}

function toNotable(event: Activity): NotableEvent {
  const r = event.record;
  const notable: NotableEvent = {
    eventTime: event.eventTime,
    region: event.region,
    eventSource: event.eventSource,
    eventName: event.eventName,
    accessKeyId: str(get(r, 'userIdentity', 'accessKeyId')),
    sourceIp: str(r.sourceIPAddress),
    errorCode: clipOptional(str(r.errorCode), 100),
    summary: clip(describeEvent(event), LIMITS.text),
  };
  for (const k of ['accessKeyId', 'sourceIp', 'errorCode'] as const) if (notable[k] === undefined) delete notable[k];
  return notable;
}

/** One human line for a notable event. */
function describeEvent(event: Activity): string {
  const { eventName: name, region } = event;
  const p = isObject(event.record.requestParameters) ? event.record.requestParameters : {};
  const re = isObject(event.record.responseElements) ? event.record.responseElements : {};
  const error = str(event.record.errorCode);
  const tail = ` in ${region}${error ? ` (failed: ${error})` : ''}`;
  const user = str(p.userName) ?? str(get(event.record, 'userIdentity', 'userName'));
  const what = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' ');
  switch (name) {
    case 'CreateUser':
      return what(name, str(p.userName)) + tail;
    case 'CreateAccessKey':
      return what(name, str(get(re, 'accessKey', 'accessKeyId')), user && `for user ${str(get(re, 'accessKey', 'userName')) ?? user}`) + tail;
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return what(name, user && `for user ${user}`, p.passwordResetRequired === false ? '(no reset required)' : undefined) + tail;
    case 'AttachUserPolicy':
    case 'AttachRolePolicy':
    case 'AttachGroupPolicy':
      return what(name, str(p.policyArn), target(p)) + tail;
    case 'PutUserPolicy':
    case 'PutRolePolicy':
    case 'PutGroupPolicy':
      return what(name, str(p.policyName) && `inline policy ${str(p.policyName)}`, target(p, 'on')) + tail;
    case 'CreatePolicy':
      return what(name, str(get(re, 'policy', 'arn')) ?? str(p.policyName)) + tail;
    case 'CreatePolicyVersion':
      return what(name, str(p.policyArn) && `of ${str(p.policyArn)}`, p.setAsDefault === true ? '(set as default)' : undefined) + tail;
    case 'CreateRole':
    case 'UpdateAssumeRolePolicy':
      return what(name, str(p.roleName)) + tail;
    case 'AssumeRole':
      return what(name, str(p.roleArn), str(p.roleSessionName) && `as session ${str(p.roleSessionName)}`) + tail;
    case 'GetSessionToken':
    case 'GetFederationToken':
      return what(name, str(p.name), str(get(re, 'credentials', 'accessKeyId')) && `issued ${str(get(re, 'credentials', 'accessKeyId'))}`) + tail;
    case 'RunInstances': {
      const ids = itemIds(re);
      return what(name, ids.length ? ids.join(', ') : str(p.instanceType)) + tail;
    }
    case 'StartInstances':
      return what(name, itemIds(p).join(', ')) + tail;
    case 'RequestSpotInstances':
      return what(name, p.instanceCount !== undefined ? `x${String(p.instanceCount)}` : undefined) + tail;
    case 'CreateFunction':
    case 'UpdateFunctionCode':
      return what(name, str(p.functionName)) + tail;
    case 'DeleteTrail':
    case 'StopLogging':
    case 'UpdateTrail':
    case 'PutEventSelectors':
      return what(name, str(p.name) ?? str(p.trailName)) + tail;
    case 'DeleteDetector':
      return what(name, str(p.detectorId)) + tail;
    case 'CreateKeyPair':
    case 'ImportKeyPair':
      return what(name, str(p.keyName)) + tail;
    case 'AuthorizeSecurityGroupIngress':
      return what(name, str(p.groupId) ?? str(p.groupName)) + tail;
    case 'CopyObject':
    case 'PutObject':
      return what(name, 'with a customer-provided key (SSE-C, possible ransom)', str(p.bucketName) && `to ${str(p.bucketName)}/${str(p.key) ?? ''}`) + tail;
    default:
      return name + tail;
  }
}

function target(p: Json, preposition = 'to'): string | undefined {
  if (str(p.userName)) return `${preposition} user ${str(p.userName)}`;
  if (str(p.roleName)) return `${preposition} role ${str(p.roleName)}`;
  if (str(p.groupName)) return `${preposition} group ${str(p.groupName)}`;
  return undefined;
}

/** `instancesSet.items[].instanceId` of a request or a response. */
function itemIds(container: Json): string[] {
  const items = get(container, 'instancesSet', 'items');
  if (!Array.isArray(items)) return [];
  return items.map((i) => (isObject(i) ? str(i.instanceId) : undefined)).filter((id): id is string => !!id);
}

/**
 * At most {@link LIMITS.notable}: one of each kind (event name) in turn, successful calls before
 * failed attempts and oldest first within a kind, so a burst of one kind cannot hide another.
 * Listed oldest first.
 */
function pickNotable(all: NotableEvent[]): NotableEvent[] {
  if (all.length <= LIMITS.notable) return all;
  const kinds = new Map<string, NotableEvent[]>();
  for (const n of all) {
    const list = kinds.get(n.eventName) ?? [];
    list.push(n);
    kinds.set(n.eventName, list);
  }
  const queues = [...kinds.values()].map((list) => [...list.filter((n) => !n.errorCode), ...list.filter((n) => n.errorCode)]);
  const picked: NotableEvent[] = [];
  for (let i = 0; picked.length < LIMITS.notable; i++) {
    for (const queue of queues) if (i < queue.length && picked.length < LIMITS.notable) picked.push(queue[i]);
  }
  const order = new Map(all.map((n, i) => [n, i]));
  return picked.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** What the key created or started, from calls that succeeded. */
class LeftBehindCollector {
  private readonly users = new Set<string>();
  private readonly accessKeys = new Map<string, { userName: string; accessKeyId?: string }>();
  private readonly loginProfiles = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly policies = new Set<string>();
  private readonly instances = new Map<string, LeftBehind['instances'][number]>();

  add(event: Activity): void {
    const r = event.record;
    const p = isObject(r.requestParameters) ? r.requestParameters : {};
    const re = isObject(r.responseElements) ? r.responseElements : {};
    // Without a UserName, CreateAccessKey and CreateLoginProfile act on the caller's own user.
    const caller = str(get(r, 'userIdentity', 'userName'));
    switch (`${event.eventSource} ${event.eventName}`) {
      case 'iam.amazonaws.com CreateUser':
        addTo(this.users, str(p.userName) ?? str(get(re, 'user', 'userName')));
        break;
      case 'iam.amazonaws.com CreateAccessKey': {
        const userName = str(get(re, 'accessKey', 'userName')) ?? str(p.userName) ?? caller;
        const accessKeyId = str(get(re, 'accessKey', 'accessKeyId'));
        if (userName) this.accessKeys.set(`${userName} ${accessKeyId ?? ''}`, accessKeyId ? { userName, accessKeyId } : { userName });
        break;
      }
      case 'iam.amazonaws.com CreateLoginProfile':
        addTo(this.loginProfiles, str(p.userName) ?? str(get(re, 'loginProfile', 'userName')) ?? caller);
        break;
      case 'iam.amazonaws.com CreateRole':
        addTo(this.roles, str(p.roleName) ?? str(get(re, 'role', 'roleName')));
        break;
      case 'iam.amazonaws.com CreatePolicy':
        addTo(this.policies, str(get(re, 'policy', 'arn')) ?? str(p.policyName));
        break;
      case 'ec2.amazonaws.com RunInstances':
        for (const instanceId of itemIds(re)) this.instances.set(`${event.region} ${instanceId}`, { region: event.region, instanceId, via: 'RunInstances' });
        break;
      case 'ec2.amazonaws.com StartInstances':
        for (const instanceId of itemIds(p)) {
          // An instance the key launched stays "launched": starting it again says less.
          if (!this.instances.has(`${event.region} ${instanceId}`)) {
            this.instances.set(`${event.region} ${instanceId}`, { region: event.region, instanceId, via: 'StartInstances' });
          }
        }
        break;
    }
  }

  result(truncated: string[]): LeftBehind {
    const cap = <T>(what: string, items: T[], limit: number): T[] => {
      if (items.length <= limit) return items;
      truncated.push(`leftBehind.${what}: ${items.length} found, the first ${limit} listed: all are in the activity object`);
      return items.slice(0, limit);
    };
    const sorted = (set: Set<string>) => [...set].sort(compare);
    return {
      users: cap('users', sorted(this.users), LIMITS.leftBehind),
      accessKeys: cap(
        'accessKeys',
        [...this.accessKeys.values()].sort((a, b) => compare(a.userName, b.userName) || compare(a.accessKeyId ?? '', b.accessKeyId ?? '')),
        LIMITS.leftBehind,
      ),
      loginProfiles: cap('loginProfiles', sorted(this.loginProfiles), LIMITS.leftBehind),
      roles: cap('roles', sorted(this.roles), LIMITS.leftBehind),
      policies: cap('policies', sorted(this.policies), LIMITS.leftBehind),
      instances: cap(
        'instances',
        [...this.instances.values()].sort((a, b) => compare(a.region, b.region) || compare(a.instanceId, b.instanceId)),
        LIMITS.instances,
      ),
    };
  }
}

// --- reach ---------------------------------------------------------------------------------------

/**
 * The user's policies: attached, inline and through its groups, and two simulations of
 * {@link HIGH_RISK_ACTIONS}:
 *
 * - `allowedHighRisk` / `deniedHighRisk`: SimulatePrincipalPolicy on the user as it is NOW, with
 *   the quarantine (ours, AWS's) and the revoke policy in place. It cannot leave a policy out, so
 *   after containment most of these are denied: that shows the quarantine holds, not what the key
 *   could do.
 * - `allowedBeforeContainment`: SimulateCustomPolicy on the user's own policy documents (managed
 *   via GetPolicy + GetPolicyVersion, inline via GetUserPolicy/GetGroupPolicy) without the
 *   responder's (path `/exposed-key-responder/`, names `ExposedKeyResponder*`) and without AWS's
 *   quarantine, within the user's permissions boundary: what the key could do in the attacker's hands.
 *
 * Both simulate every action on every resource (`*`) and see neither SCPs (the custom one) nor
 * resource policies: an action allowed only on some resources reads as denied. They answer
 * "could the key do this at all", not "on what".
 */
async function assessReach(incident: Incident, ctx: Context): Promise<{ reach: Reach; failures: Failure[] }> {
  const reach: Reach = { attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] };
  if (incident.principalType === 'root') {
    return {
      reach,
      failures: [{ what: 'reach', error: 'root user: IAM policies do not limit it, it can do everything in the account; nothing to list or simulate' }],
    };
  }
  const failures: Failure[] = [];
  const iam = ctx.deps.iam;
  const UserName = incident.userName;
  /** One IAM call with backoff; undefined (and a failure) when it could not be done. */
  const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withBackoff(ctx, what, call);
    } catch (err) {
      failures.push({ what, error: errorText(err) });
      return undefined;
    }
  };

  const user = await attempt('iam:GetUser', () => iam.send(new GetUserCommand({ UserName })));
  const attached = await attempt('iam:ListAttachedUserPolicies', () =>
    pageAll((Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName, Marker })), (o) => o.AttachedPolicies?.map((p) => p.PolicyArn)),
  );
  const inline = await attempt('iam:ListUserPolicies', () =>
    pageAll((Marker) => iam.send(new ListUserPoliciesCommand({ UserName, Marker })), (o) => o.PolicyNames),
  );
  const groupNames = await attempt('iam:ListGroupsForUser', () =>
    pageAll((Marker) => iam.send(new ListGroupsForUserCommand({ UserName, Marker })), (o) => o.Groups?.map((g) => g.GroupName)),
  );
  let groupsComplete = groupNames !== undefined;
  for (const GroupName of groupNames ?? []) {
    const groupAttached = await attempt(`iam:ListAttachedGroupPolicies ${GroupName}`, () =>
      pageAll((Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName, Marker })), (o) => o.AttachedPolicies?.map((p) => p.PolicyArn)),
    );
    const groupInline = await attempt(`iam:ListGroupPolicies ${GroupName}`, () =>
      pageAll((Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName, Marker })), (o) => o.PolicyNames),
    );
    if (!groupAttached || !groupInline) groupsComplete = false;
    reach.groups.push({ groupName: GroupName, attachedPolicies: groupAttached ?? [], inlinePolicies: groupInline ?? [] });
  }
  reach.attachedPolicies = attached ?? [];
  reach.inlinePolicies = inline ?? [];

  const userArn = user?.User?.Arn;
  if (userArn) {
    const now = await attempt('iam:SimulatePrincipalPolicy', () =>
      simulate((Marker) => iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: [...HIGH_RISK_ACTIONS], Marker }))),
    );
    if (now) {
      reach.allowedHighRisk = HIGH_RISK_ACTIONS.filter((a) => now.has(a));
      reach.deniedHighRisk = HIGH_RISK_ACTIONS.filter((a) => !now.has(a));
    }
  } else if (user) {
    failures.push({ what: 'iam:SimulatePrincipalPolicy', error: 'GetUser returned no ARN' });
  }

  if (user && attached && inline && groupsComplete) {
    const before = await allowedBeforeContainment(incident, user.User?.PermissionsBoundary?.PermissionsBoundaryArn, reach, attempt, ctx);
    if (before) reach.allowedBeforeContainment = before;
  } else {
    failures.push({ what: 'iam:SimulateCustomPolicy', error: "the user's policies could not all be listed: what it could do before containment is unknown" });
  }
  ctx.deps.logger.debug('reach assessed', { attached: reach.attachedPolicies.length, inline: reach.inlinePolicies.length, groups: reach.groups.length });
  return { reach, failures };
}

type Attempt = <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>;

async function allowedBeforeContainment(
  incident: Incident,
  boundaryArn: string | undefined,
  reach: Reach,
  attempt: Attempt,
  ctx: Context,
): Promise<string[] | undefined> {
  const iam = ctx.deps.iam;
  const managed = [...new Set([...reach.attachedPolicies, ...reach.groups.flatMap((g) => g.attachedPolicies)])].filter((arn) => !isContainmentPolicyArn(arn));
  const documents: Array<string | undefined> = [];
  for (const arn of managed) documents.push(await managedDocument(arn, attempt, ctx));
  for (const PolicyName of reach.inlinePolicies.filter((n) => !isContainmentPolicyName(n))) {
    const out = await attempt(`iam:GetUserPolicy ${PolicyName}`, () => iam.send(new GetUserPolicyCommand({ UserName: incident.userName, PolicyName })));
    documents.push(out && policyJson(out.PolicyDocument));
  }
  for (const group of reach.groups) {
    for (const PolicyName of group.inlinePolicies.filter((n) => !isContainmentPolicyName(n))) {
      const out = await attempt(`iam:GetGroupPolicy ${group.groupName}/${PolicyName}`, () =>
        iam.send(new GetGroupPolicyCommand({ GroupName: group.groupName, PolicyName })),
      );
      documents.push(out && policyJson(out.PolicyDocument));
    }
  }
  const boundary = boundaryArn ? await managedDocument(boundaryArn, attempt, ctx) : undefined;
  if (documents.some((d) => d === undefined) || (boundaryArn && !boundary)) {
    // A policy left out could be the one that allows: no answer rather than a wrong one.
    return undefined;
  }
  if (documents.length === 0) return [];
  const allowed = await attempt('iam:SimulateCustomPolicy', () =>
    simulate((Marker) =>
      iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: documents as string[],
          PermissionsBoundaryPolicyInputList: boundary ? [boundary] : undefined,
          ActionNames: [...HIGH_RISK_ACTIONS],
          Marker,
        }),
      ),
    ),
  );
  return allowed && HIGH_RISK_ACTIONS.filter((a) => allowed.has(a));
}

async function managedDocument(PolicyArn: string, attempt: Attempt, ctx: Context): Promise<string | undefined> {
  const policy = await attempt(`iam:GetPolicy ${PolicyArn}`, () => ctx.deps.iam.send(new GetPolicyCommand({ PolicyArn })));
  const VersionId = policy?.Policy?.DefaultVersionId;
  if (!VersionId) return undefined;
  const version = await attempt(`iam:GetPolicyVersion ${PolicyArn}`, () => ctx.deps.iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId })));
  return version && policyJson(version.PolicyVersion?.Document);
}

/** The responder's own policies and AWS's quarantine: containment, not the key's permissions. */
function isContainmentPolicyArn(arn: string): boolean {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return isAwsQuarantinePolicyArn(arn) || arn.includes(`:policy${RESPONDER_POLICY_PATH}`) || isContainmentPolicyName(name);
}

function isContainmentPolicyName(name: string): boolean {
  return name.startsWith('ExposedKeyResponder') || name === LEGACY_QUARANTINE_INLINE_POLICY;
}

/** IAM returns policy documents URL-encoded; as plain JSON, minified. */
function policyJson(document: string | undefined): string | undefined {
  if (!document) return undefined;
  for (const text of [document, safeDecode(document)]) {
    try {
      return JSON.stringify(JSON.parse(text ?? ''));
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

interface Paged {
  IsTruncated?: boolean;
  Marker?: string;
}

/** Every page of an IAM list (Marker / IsTruncated). */
async function pageAll<O extends Paged>(fetch: (marker?: string) => Promise<O>, items: (out: O) => Array<string | undefined> | undefined): Promise<string[]> {
  const all: string[] = [];
  let marker: string | undefined;
  do {
    const out = await fetch(marker);
    for (const item of items(out) ?? []) if (item) all.push(item);
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return all;
}

/** The actions a simulation allows, over every page. */
async function simulate(
  fetch: (marker?: string) => Promise<Paged & { EvaluationResults?: Array<{ EvalActionName?: string; EvalDecision?: string }> }>,
): Promise<Set<string>> {
  const allowed = new Set<string>();
  let marker: string | undefined;
  do {
    const out = await fetch(marker);
    for (const r of out.EvaluationResults ?? []) if (r.EvalActionName && r.EvalDecision === 'allowed') allowed.add(r.EvalActionName);
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return allowed;
}

// --- helpers -------------------------------------------------------------------------------------

/**
 * Runs `call`, trying a throttled or transiently failing one again after 1 s, 2 s, 4 s, 8 s
 * ({@link MAX_ATTEMPTS} tries in all). Anything else, or the last failure, is thrown.
 */
async function withBackoff<T>(ctx: Context, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw new GaveUpError(err, attempt);
      const delayMs = BACKOFF_BASE_MS * 2 ** (attempt - 1);
      ctx.deps.logger.warn('throttled or failing: backing off', { what, attempt, delayMs, error: awsErrorCode(err) });
      await ctx.sleep(delayMs);
    }
  }
}

class GaveUpError extends Error {
  constructor(
    public readonly last: unknown,
    public readonly attempts: number,
  ) {
    super(`${errorText(last)} (gave up after ${attempts} attempts)`);
  }
}

function isRetryable(err: unknown): boolean {
  if (isTransientAwsError(err)) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  return NETWORK_ERRORS.has(awsErrorCode(err) ?? '') || (typeof code === 'string' && NETWORK_ERRORS.has(code));
}

function errorText(err: unknown): string {
  if (err instanceof GaveUpError) return err.message;
  const { name, message } = describeError(err);
  return clip(message && message !== name ? `${name}: ${message}` : name, 300);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function addTo(set: Set<string>, value: string | undefined): void {
  if (value) set.add(value);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipOptional(text: string | undefined, max: number): string | undefined {
  return text === undefined ? undefined : clip(text, max);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => compare(a, b)));
}

/** The most frequent values, most frequent first (ties by value), long ones clipped. */
function top(counts: Map<string, number>): Array<{ value: string; count: number }> {
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || compare(a, b))
    .slice(0, LIMITS.topValues)
    .map(([value, count]) => ({ value: clip(value, LIMITS.text), count }));
}
