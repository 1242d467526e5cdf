import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Incident } from '../shared/incident';
import { summarise } from './activity-summary';
import { Activity, enabledRegions, searchRegion } from './cloudtrail-search';
import { HIGH_RISK_ACTIONS, Investigation, LIMITS, NotableEvent, NOTABLE_EVENT_NAMES, SSE_C_HEADER } from './contract';
import { Context, contextOf, errorText, Failure, InvestigateDeps, withBackoff } from './deps';
import { assessReach } from './reach';
import { compare } from './text';

export { HIGH_RISK_ACTIONS, LIMITS, NOTABLE_EVENT_NAMES, SSE_C_HEADER };
export type { Investigation, NotableEvent };
export { BACKOFF_BASE_MS, MAX_ATTEMPTS } from './deps';
export type { InvestigateConfig, InvestigateDeps } from './deps';
export { HOME_REGION, LOOKUP_AFTER_ANSWER_MS, LOOKUP_PAGE_SIZE, LOOKUP_WINDOW_MS, LOOKUPS_PER_SECOND } from './cloudtrail-search';

const DAY_MS = 24 * 60 * 60 * 1000;

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
  const ctx = contextOf(deps);
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

/** The full activity, one CloudTrail record (plus the region it was found in) a line, oldest first. */
async function saveActivity(incident: Incident, events: Activity[], ctx: Context): Promise<{ activityObject?: string; failures: Failure[] }> {
  const { bucket } = ctx.deps.config;
  const key = `incidents/${incident.incidentId}/activity.jsonl`;
  const body = events.map((e) => `${e.line}\n`).join('');
  try {
    await withBackoff(ctx, 's3:PutObject', () =>
      ctx.deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' })),
    );
    return { activityObject: `s3://${bucket}/${key}`, failures: [] };
  } catch (err) {
    return { failures: [{ what: `s3:PutObject s3://${bucket}/${key}`, error: `${errorText(err)}: the full activity (${events.length} event(s)) was not saved` }] };
  }
}
