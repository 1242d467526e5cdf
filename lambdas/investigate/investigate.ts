import { Incident } from '../shared/incident';
import { summarise } from './activity-summary';
import { SecondLookInput } from '../footholds/contract';
import { secondLookLookups, useAfterContainment } from '../footholds/second-look';
import { revocationTime } from '../shared/policies';
import { Activity, enabledRegions, incidentLookups, Lookup, regionLimiter, searchRegion } from './cloudtrail-search';
import { HIGH_RISK_ACTIONS, Investigation, LIMITS, NotableEvent, NOTABLE_EVENT_NAMES, SSE_C_HEADER } from './contract';
import { Context, contextOf, Failure, InvestigateDeps } from './deps';
import { footholdsOf, recordsOf, sessionLookups } from './footholds';
import { assessReach } from './reach';
import { filterShared, SharedSearch } from './shared-search';
import { saveObject } from './store';
import { compare } from './text';

export { HIGH_RISK_ACTIONS, LIMITS, NOTABLE_EVENT_NAMES, SSE_C_HEADER };
export type { Investigation, NotableEvent };
export { BACKOFF_BASE_MS, MAX_ATTEMPTS } from './deps';
export type { InvestigateConfig, InvestigateDeps } from './deps';
export { HOME_REGION, LOOKUP_AFTER_ANSWER_MS, LOOKUP_PAGE_SIZE, LOOKUP_WINDOW_MS, LOOKUPS_PER_SECOND } from './cloudtrail-search';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How late CloudTrail may show an event (5 to 15 minutes after the call). */
export const CLOUDTRAIL_DELAY_MS = 15 * 60 * 1000;

export interface InvestigateOptions {
  /** The execution's start: the revocation time of the second look's "issued before" check. */
  readonly revokeBefore?: string;
  /** The second look: since the first pass, by what it found (its activity and footholds saved as second-look-*). */
  readonly secondLook?: SecondLookInput;
}

function lookupOf(l: ReturnType<typeof secondLookLookups>[number]): Lookup {
  return { attribute: l, label: `${l.AttributeKey} ${l.AttributeValue}` };
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
export async function investigate(incident: Incident, deps: InvestigateDeps, options: InvestigateOptions = {}): Promise<Investigation> {
  const ctx = contextOf(deps);
  const { config, logger } = deps;
  const { secondLook } = options;
  const to = (deps.now ?? (() => new Date()))();
  // CloudTrail shows an event up to 15 minutes after it happened: the second look reads that far back before the first pass's end.
  const from = secondLook ? new Date(Date.parse(secondLook.since) - CLOUDTRAIL_DELAY_MS) : new Date(to.getTime() - config.lookbackDays * DAY_MS);
  const isRoot = incident.principalType === 'root';

  const regionsFound = await enabledRegions(ctx);
  const regions = regionsFound.regions;
  logger.info('investigating', { regions: regions.length, lookbackDays: config.lookbackDays, byUserName: !isRoot });

  // One limiter a region for the whole investigation: the sessions' lookups share its budget.
  const limiters = new Map(regions.map((region) => [region, regionLimiter(ctx)]));
  // A wave: the account's events of the window, searched once for every concurrent incident (the
  // second look's only once every event of its window can be in CloudTrail); else key by key.
  const shared = config.sharedSearch
    ? new SharedSearch(incident, ctx, secondLook && new Date(Date.parse(secondLook.since) + CLOUDTRAIL_DELAY_MS))
    : undefined;
  const searchIn = async (region: string, lookups: Lookup[]) => {
    const limiter = limiters.get(region)!;
    const all = await shared?.events(region, from, to, limiter);
    const mine = all && filterShared(all, lookups);
    return mine ? { events: mine, pages: 0, failures: [] } : searchRegion(lookups, region, from, to, ctx, limiter);
  };
  const search = (lookups: Lookup[]) => Promise.all(regions.map((region) => searchIn(region, lookups)));
  // The second look searches by what the first pass found too: the sessions, keys and users the key obtained or created.
  const firstLookups = secondLook ? secondLookLookups(incident, secondLook.first).map(lookupOf) : incidentLookups(incident);
  const [first, reach] = await Promise.all([search(firstLookups), assessReach(incident, ctx)]);

  // Calls of the sessions the key obtained (AssumeRole, GetFederationToken...) carry neither its
  // id nor, for a role or federated session, its user's name: looked up by their own key ids.
  const known = secondLook?.first.sessions ?? [];
  const { sessions, lookups } = sessionLookups(incident, first, known);
  const second = lookups.length > 0 ? await search(lookups) : [];
  const searches = [...first, ...second];

  // The lookups overlap (a call signed with the key names the user too): one event, one entry.
  const byId = new Map<string, Activity>();
  for (const search of searches) for (const event of search.events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  const events = [...byId.values()].sort((a, b) => compare(a.eventTime, b.eventTime) || compare(a.eventId, b.eventId));

  const prefix = secondLook ? 'second-look-' : '';
  const saved = await saveActivity(incident, events, ctx, `${prefix}activity.jsonl`);
  const footholds = await footholdsOf(incident, events, [...known, ...sessions], ctx, `${prefix}footholds.json`, secondLook?.first);
  const summary = summarise(events);
  const failures: Failure[] = [
    ...regionsFound.failures,
    ...searches.flatMap((s) => s.failures),
    ...reach.failures,
    ...saved.failures,
    ...footholds.failures,
  ];

  // A shared search that began before `to` is where this window really ends.
  const end = shared?.coveredTo && shared.coveredTo < to ? shared.coveredTo : to;
  const result: Investigation = {
    lookback: { from: from.toISOString(), to: end.toISOString(), days: secondLook ? (end.getTime() - from.getTime()) / DAY_MS : config.lookbackDays },
    regions,
    pages: searches.reduce((n, s) => n + s.pages, 0) + (shared?.pages ?? 0),
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
    footholds: footholds.footholds,
  };
  if (secondLook) {
    // Did containment hold? Calls after it by the key, its sessions, what it created or assumed.
    const revokedBefore = revocationTime(options.revokeBefore ?? secondLook.containedAt);
    result.afterContainment = useAfterContainment(incident, secondLook.first, recordsOf(events), secondLook.containedAt, revokedBefore);
  }
  if (shared && shared.problems.length > 0) result.sharedSearchProblems = shared.problems;
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
    sessions: sessions.length,
    footholds: footholds.footholds.footholds.length,
    failures: failures.length,
  });
  return result;
}

/** The full activity, one CloudTrail record (plus the region it was found in) a line, oldest first. */
async function saveActivity(incident: Incident, events: Activity[], ctx: Context, name: string): Promise<{ activityObject?: string; failures: Failure[] }> {
  const body = events.map((e) => `${e.line}\n`).join('');
  const saved = await saveObject(incident, name, body, 'application/x-ndjson', `the full activity (${events.length} event(s)) was not saved`, ctx);
  return { activityObject: saved.object, failures: saved.failures };
}
