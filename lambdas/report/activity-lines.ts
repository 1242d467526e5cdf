// What the record says about the CloudTrail search and what the key left behind, in the words
// every message uses (the email, Slack, the support case, report.md): each renders them with its
// own escaping, none decides them.
import { regionOfLookupFailure, SharedSearchProblem } from '../investigate/contract';
import type { ReportFailure } from './decide';
import type { LeftBehind } from './record';

/** The regions whose CloudTrail search by `source` stopped before the end (a failure naming the region), each once. */
export function unsearchedRegions(failures: readonly ReportFailure[], source: 'investigation' | 'second-look'): string[] {
  const regions = failures.filter((f) => f.source === source).map((f) => regionOfLookupFailure(f.what));
  return [...new Set(regions.filter((r): r is string => r !== undefined))];
}

/** What an incomplete search means, in one sentence; undefined when every region was searched. */
export function searchGapLine(regions: readonly string[] | undefined): string | undefined {
  if (!regions || regions.length === 0) return undefined;
  return `INCOMPLETE: CloudTrail could not be searched to the end in ${regions.join(', ')}: what the key did and launched there may be missing (see Still open).`;
}

/**
 * What the wave's shared CloudTrail search could not do, one sentence per kind and error: not a gap
 * in what was found, a cost (a search of its own, or one the others could not reuse).
 */
export function sharedSearchLines(problems: readonly SharedSearchProblem[] | undefined): string[] {
  const groups = new Map<string, { searchedAlone: boolean; error: string; regions: string[] }>();
  for (const p of problems ?? []) {
    const key = `${p.searchedAlone}\n${p.error}`;
    const group = groups.get(key) ?? { searchedAlone: p.searchedAlone, error: p.error, regions: [] };
    if (!group.regions.includes(p.region)) group.regions.push(p.region);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ searchedAlone, error, regions }) => {
    const where = regions.sort().join(', ');
    return searchedAlone
      ? `The wave's shared CloudTrail search could not be used (${error}): this key's CloudTrail was searched on its own in ${where}: complete, but slower and with more LookupEvents calls against the account's 2 a second.`
      : `The shared CloudTrail search of ${where} was made here but could not be shared (${error}): the wave's other investigations search on their own (slower, more LookupEvents calls).`;
  });
}

/** "nothing found", said as far as the search went. */
export function nothingFound(regions: readonly string[] | undefined): string {
  return regions && regions.length > 0 ? `nothing found in the regions searched; not known for ${regions.join(', ')}` : 'nothing found in CloudTrail';
}

/** Each thing the key left behind, one phrase each; `name` renders an identifier (code, escaping). */
export function leftBehindItems(l: LeftBehind, name: (value: string) => string = (v) => v): string[] {
  return [
    ...l.users.map((u) => `user ${name(u)}`),
    ...l.accessKeys.map((k) => `access key ${k.accessKeyId ? name(k.accessKeyId) : '(id unknown)'} of user ${name(k.userName)}`),
    ...l.loginProfiles.map((u) => `console password for ${name(u)}`),
    ...l.roles.map((r) => `role ${name(r)}`),
    ...l.policies.map((p) => `policy ${name(p)}`),
    ...Object.keys(l.instancesByRegion)
      .sort()
      .flatMap((region) => l.instancesByRegion[region].map((i) => `instance ${name(i.instanceId)} in ${name(region)} (${i.via})`)),
  ];
}
