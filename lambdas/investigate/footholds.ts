// Following the attacker: the sessions the key obtained are looked up too, and every record read
// goes through findFootholds (lambdas/footholds): what CloudTrail ties to the key.
import { boundFootholds } from '../footholds/bound';
import { DerivedSession, Footholds } from '../footholds/contract';
import { findFootholds, sessionsToFollow } from '../footholds/find';
import { Incident } from '../shared/incident';
import { Activity, Lookup, RegionSearch } from './cloudtrail-search';
import { Context, Failure } from './deps';
import { saveObject } from './store';

/**
 * The sessions the leaked key obtained (GetSessionToken, GetFederationToken, AssumeRole: their
 * ASIA key ids, from the first pass's records), and a LookupEvents lookup by AccessKeyId for each.
 */
export function sessionLookups(incident: Incident, first: readonly RegionSearch[]): { sessions: DerivedSession[]; lookups: Lookup[] } {
  const sessions = sessionsToFollow(incident.accessKeyId, first.flatMap((s) => s.events.map((e) => e.record)));
  const lookups = sessions.map((s) => ({
    attribute: { AttributeKey: 'AccessKeyId' as const, AttributeValue: s.accessKeyId },
    label: `AccessKeyId ${s.accessKeyId} (a session the key obtained with ${s.via})`,
  }));
  return { sessions, lookups };
}

/**
 * The footholds every record read proves, the sessions followed: the whole list saved as
 * `footholds.json` next to activity.jsonl, and a list that fits the workflow state returned
 * ({@link boundFootholds}: what is left out is said, and not contained).
 */
export async function footholdsOf(
  incident: Incident,
  events: readonly Activity[],
  sessions: readonly DerivedSession[],
  ctx: Context,
): Promise<{ footholds: Footholds; failures: Failure[] }> {
  // The region a record was found in is kept, for a record CloudTrail's awsRegion is missing from.
  const records = events.map((e) => ({ region: e.region, ...e.record }));
  const found = findFootholds(incident, records, sessions);
  const saved = await saveObject(
    incident,
    'footholds.json',
    `${JSON.stringify(found, null, 2)}\n`,
    'application/json',
    `the whole list of footholds (${found.footholds.length}) was not saved`,
    ctx,
  );
  const footholds = boundFootholds(found);
  if (saved.object) footholds.object = saved.object;
  return { footholds, failures: saved.failures };
}
