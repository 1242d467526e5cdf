// The second look in the record: CloudTrail again after secondLookMinutes. Decided here, once
// (whether containment held, what is then still open, the lines every message shows).
import { isFailure, WorkflowState } from '../shared/state';
import { regionOfLookupFailure } from '../investigate/contract';
import { explainError } from './decide';
import type { OpenItem } from './open';
import { shellArg } from './shell';

/** Calls after containment listed in the record and the messages; the counts are whole. */
export const MAX_USED_LINES = 10;

/** `report.json`'s second look: what CloudTrail showed since the first pass. */
export interface SecondLookRecord {
  /** The window read: from the first pass's end (less CloudTrail's delay) to the second look. */
  readonly from: string;
  readonly to: string;
  /** True when nothing the key made or assumed succeeded after containment. */
  readonly held: boolean;
  /** Calls that succeeded after containment ("by" says who: the key, a key it created...). */
  readonly used: ReadonlyArray<{ eventTime: string; eventSource: string; eventName: string; region: string; sourceIp?: string; by: string; eventId: string }>;
  readonly usedCount: number;
  /** Calls that containment stopped (AccessDenied...). */
  readonly deniedCount: number;
  /** Footholds the first pass had not found (contained by the second footholds step). */
  readonly newFootholds: number;
  /** Regions the second look could not search to the end: whether containment held there is not known. */
  readonly unsearchedRegions?: string[];
}

export function secondLookOf(state: WorkflowState): SecondLookRecord | undefined {
  const s = state.secondLook;
  if (!s || isFailure(s)) return undefined;
  const a = s.afterContainment;
  const unsearched = [...new Set(s.failures.map((f) => regionOfLookupFailure(f.what)).filter((r): r is string => r !== undefined))];
  return {
    from: s.lookback.from,
    to: s.lookback.to,
    held: a.held,
    used: a.used.map((u) => ({ eventTime: u.eventTime, eventSource: u.eventSource, eventName: u.eventName, region: u.region, ...(u.sourceIp ? { sourceIp: u.sourceIp } : {}), by: u.by, eventId: u.eventId })),
    usedCount: a.usedCount,
    deniedCount: a.deniedCount,
    newFootholds: s.footholds.footholds.length,
    ...(unsearched.length > 0 ? { unsearchedRegions: unsearched } : {}),
  };
}

function useLine(u: SecondLookRecord['used'][number]): string {
  return `${u.by} called ${u.eventName} (${u.eventSource}) at ${u.eventTime} in ${u.region}${u.sourceIp ? ` from ${u.sourceIp}` : ''} (event ${u.eventId})`;
}

/** The headline when containment did not hold; undefined when it held or no second look ran. */
export function didNotHold(state: WorkflowState): string | undefined {
  const s = secondLookOf(state);
  if (!s || s.held) return undefined;
  return `ACTION REQUIRED: containment did not hold: ${s.usedCount} call(s) after containment by the key or what it created`;
}

/** What is still open after the second look: first of all, every call made after containment. */
export function secondLookOpenItems(state: WorkflowState): OpenItem[] {
  const failure = state.secondLook;
  if (isFailure(failure)) {
    return [{ what: `The second look at CloudTrail failed (${explainError(failure.failed.error)}): search CloudTrail event history for the key and what it created, since the containment, by hand.` }];
  }
  const s = secondLookOf(state);
  const unsearched = (s?.unsearchedRegions ?? []).map((region) => ({
    what: `The second look could not search CloudTrail in ${region} to the end: whether containment held there is not known. Search the key's calls there since ${s!.from} by hand.`,
    command: `aws cloudtrail lookup-events --region ${shellArg(region)} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${shellArg(state.incident.accessKeyId)} --start-time ${shellArg(s!.from)}`,
  }));
  if (!s || s.held) return unsearched;
  const more = s.usedCount - Math.min(s.used.length, MAX_USED_LINES);
  return [
    ...s.used.slice(0, MAX_USED_LINES).map((u) => ({ what: `ACTION REQUIRED: containment did not hold: ${useLine(u)}. Find how it still works (another key, a session, a role) and contain it.` })),
    ...(more > 0 ? [{ what: `ACTION REQUIRED: and ${more} more call(s) after containment: see the record.` }] : []),
    ...unsearched,
  ];
}

/** The second look in every message: one line, then each call after containment. */
export function secondLookLines(s: SecondLookRecord | undefined): string[] {
  if (!s) return [];
  const held = s.unsearchedRegions ? `no call after containment found, but ${s.unsearchedRegions.join(', ')} could not be searched to the end` : 'containment held';
  const head = `Second look at CloudTrail (${s.from} to ${s.to}): ${s.held ? held : `containment did NOT hold (${s.usedCount} call(s) after containment)`}; ${s.deniedCount} attempt(s) denied; ${s.newFootholds} new foothold(s).`;
  return [head, ...s.used.slice(0, MAX_USED_LINES).map((u) => `  - ${useLine(u)}`)];
}
