// Following the attacker: the sessions the key obtained are looked up too, and every record read
// goes through findFootholds (lambdas/footholds): what CloudTrail ties to the key.
import { boundFootholds } from '../footholds/bound';
import { DerivedSession, Footholds } from '../footholds/contract';
import { findFootholds, identity, sessionsToFollow } from '../footholds/find';
import { Incident } from '../shared/incident';
import { Activity, Lookup, RegionSearch } from './cloudtrail-search';
import { Context, Failure } from './deps';
import { saveObject } from './store';

/**
 * The sessions the leaked key obtained (GetSessionToken, GetFederationToken, AssumeRole: their
 * ASIA key ids, from the first pass's records), and a LookupEvents lookup by AccessKeyId for each.
 */
export function sessionLookups(
  incident: Incident,
  first: readonly RegionSearch[],
  known: readonly DerivedSession[] = [],
): { sessions: DerivedSession[]; lookups: Lookup[] } {
  // Sessions an earlier pass found are looked up already (the second look's first lookups).
  const sessions = sessionsToFollow(incident.accessKeyId, first.flatMap((s) => s.events.map((e) => e.record)))
    .filter((s) => !known.some((k) => k.accessKeyId === s.accessKeyId));
  const lookups = sessions.map((s) => ({
    attribute: { AttributeKey: 'AccessKeyId' as const, AttributeValue: s.accessKeyId },
    label: `AccessKeyId ${s.accessKeyId} (a session the key obtained with ${s.via})`,
  }));
  return { sessions, lookups };
}

/** The records read, each with the region it was found in (for a record CloudTrail's awsRegion is missing from). */
export function recordsOf(events: readonly Activity[]): Array<Record<string, unknown>> {
  return events.map((e) => ({ region: e.region, ...e.record }));
}

/**
 * The footholds every record read proves, the sessions followed: the whole list saved as
 * `name` (footholds.json) next to activity.jsonl, and a list that fits the workflow state returned
 * ({@link boundFootholds}: what is left out is said, and not contained).
 */
export async function footholdsOf(
  incident: Incident,
  events: readonly Activity[],
  sessions: readonly DerivedSession[],
  ctx: Context,
  name = 'footholds.json',
  /** What an earlier pass listed already (the second look reads back into its window): not listed again. */
  earlier?: Pick<Footholds, 'footholds'>,
): Promise<{ footholds: Footholds; failures: Failure[] }> {
  const all = findFootholds(incident, recordsOf(events), sessions);
  const seen = new Set(earlier?.footholds.map(identity));
  const found = seen.size > 0 ? { ...all, footholds: all.footholds.filter((f) => !seen.has(identity(f))) } : all;
  const saved = await saveObject(
    incident,
    name,
    `${JSON.stringify(found, null, 2)}\n`,
    'application/json',
    `the whole list of footholds (${found.footholds.length}) was not saved`,
    ctx,
  );
  const footholds = boundFootholds(found);
  if (saved.object) footholds.object = saved.object;
  return { footholds, failures: saved.failures };
}
