/**
 * The incident record, pure: what report.json says, built from the parsed workflow state. It is the
 * one place that decides the outcome, the failures, what is still open and the follow-ups; the
 * email, Slack, the support case and report.md only render it. No AWS client here, so the support,
 * Slack and notify Lambdas build it too without bundling S3.
 */
import type { EvidenceResult } from '../evidence/contract';
import type { Investigation } from '../investigate/contract';
import { Incident } from '../shared/incident';
import { isFailure, WorkflowState } from '../shared/state';
import { StepResult, Verification } from '../shared/steps';
import type { UserChange } from '../shared/user-changes';
import { Outcome } from './contract';
import { collectFailures, decideOutcome, explainError, isComplete, ReportFailure, supportLine } from './decide';
import { CostExposure, costExposureOf } from './cost';
import { afterStops, footholdsOf, FootholdsRecord } from './footholds';
import { secondLookOf, SecondLookRecord } from './second-look';
import { consoleLinks, Link } from './links';
import { unsearchedRegions } from './activity-lines';
import { buildFollowUps, buildStillOpen, buildUndo, OpenItem } from './open';

export { OUTCOMES } from './contract';
export type { Outcome } from './contract';
export type { ReportFailure } from './decide';
export type { Link } from './links';
export type { CostExposure, CostExposureEntry } from './cost';
export type { OpenItem } from './open';
export type { FootholdGroup, FootholdsRecord } from './footholds';
export { footholdGroups } from './footholds';
export type { SecondLookRecord } from './second-look';
export { secondLookLines } from './second-look';
export { leftBehindItems, nothingFound, searchGapLine, sharedSearchLines } from './activity-lines';
export { explainError };
export { rootKeyDeletion, verificationSkippedReason } from './root-key';

export interface TimelineEntry {
  readonly at: string;
  readonly event: string;
}

export interface ContainmentEntry {
  readonly action: string;
  readonly status: StepResult['status'] | 'failed';
  readonly detail: string;
  readonly at?: string;
  /** What the action changed on the user, with the state before it: what `restore` undoes, exactly. */
  readonly changes?: UserChange[];
}

/**
 * What the key did: the investigation's output as the step returned it, but for the parts the
 * record reshapes (`reach`, `leftBehind`) or lists elsewhere (`failures`). A field added to the
 * investigation's schema appears here, typed, with nothing else to change.
 */
export type ActivitySummary = Omit<Investigation, 'reach' | 'leftBehind' | 'failures'>;
export type Reach = Investigation['reach'];

export interface LeftBehindInstance {
  readonly instanceId: string;
  readonly via: string;
}

/** What the key created; instances grouped by region. */
export interface LeftBehind extends Omit<Investigation['leftBehind'], 'instances'> {
  readonly instancesByRegion: Record<string, LeftBehindInstance[]>;
}

export type EvidenceSummary = EvidenceResult;

/** `report.json`: everything known about one incident, in one document. */
export interface IncidentReport {
  readonly reportVersion: 2;
  readonly incidentId: string;
  readonly generatedAt: string;
  readonly outcome: Outcome;
  /** Containment in place (or nothing to change) and no step failed as a whole: the execution may succeed. */
  readonly complete: boolean;
  readonly headline: string;
  /** What is still open, most urgent first, each with the command that finishes it when there is one. */
  readonly stillOpen: OpenItem[];
  readonly incident: Incident;
  /** What the report said that the responder did not act on (the user it named, the reporter's words). */
  readonly notes: string[];
  readonly executionId?: string;
  readonly timeline: TimelineEntry[];
  readonly containment: ContainmentEntry[];
  /** Nothing was changed on purpose: every change is a "would". */
  readonly dryRun: boolean;
  readonly verification?: Verification;
  /** Absent when the investigation did not run or failed. */
  readonly activity?: ActivitySummary;
  readonly reach?: Reach;
  readonly leftBehind?: LeftBehind;
  /**
   * Regions whose CloudTrail the investigation could not search to the end (each is in
   * `failures`): what the key did there, and the instances it launched there, may be missing, so
   * nothing there was snapshotted or contained. Absent when every region was searched.
   */
  readonly unsearchedRegions?: string[];
  /** Absent when the evidence step did not run or failed. */
  readonly evidence?: EvidenceSummary;
  /**
   * What the footholds step did about each foothold CloudTrail tied to the key (keys and users it
   * created, roles it assumed, instances it launched...): each result with the command that undoes
   * or finishes it. Absent when the step did not run (nothing found) or failed (see `failures`).
   */
  readonly footholds?: FootholdsRecord;
  /** The second look at CloudTrail after secondLookMinutes: whether containment held. Absent until it ran. */
  readonly secondLook?: SecondLookRecord;
  /**
   * What the instances the key launched or started cost: type, region, running since, the hourly
   * on-demand price and an estimate so far (to `generatedAt`). Absent when none was described.
   */
  readonly costExposure?: CostExposure;
  /** Where the written record is (S3 console), when an earlier write of it said so. */
  readonly recordUrl?: string;
  /** One line on the AWS support case, when the support step ran. */
  readonly supportCase?: string;
  /** Everything that failed, from every step. */
  readonly failures: ReportFailure[];
  /** What a human still owes once the open items are done, in order. */
  readonly followUps: string[];
  /** How to undo exactly what the responder changed (nothing in a dry run). */
  readonly undo: OpenItem[];
  /** Console pages that open on this incident. */
  readonly links: Link[];
}

/** The tag of an outcome in every message's subject or header. */
export const OUTCOME_TAGS: Readonly<Record<Outcome, string>> = {
  contained: 'CONTAINED',
  'contained-with-gaps': 'CONTAINED WITH GAPS',
  escalated: 'ACTION REQUIRED',
  'dry-run': 'DRY RUN',
  failed: 'FAILED',
};

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function leftBehindOf(left: Investigation['leftBehind']): LeftBehind {
  const { instances, ...rest } = left;
  const instancesByRegion: Record<string, LeftBehindInstance[]> = {};
  for (const i of instances) {
    const inRegion = (instancesByRegion[i.region] ??= []);
    if (!inRegion.some((x) => x.instanceId === i.instanceId)) inRegion.push({ instanceId: i.instanceId, via: i.via });
  }
  return { ...rest, instancesByRegion };
}

function containmentOf(state: WorkflowState): ContainmentEntry[] {
  const c = state.containment;
  if (c === undefined) return [];
  if (isFailure(c)) return [{ action: c.failed.step, status: 'failed', detail: explainError(c.failed.error) }];
  return c.map((s) =>
    isFailure(s)
      ? { action: s.failed.step, status: 'failed', detail: explainError(s.failed.error) }
      : { action: s.action, status: s.status, detail: s.detail, at: s.at, ...optional('changes', s.changes) },
  );
}

/** Foothold actions in the timeline (the record's `footholds` has them all). */
const MAX_FOOTHOLD_EVENTS = 20;

/** Characters of the reporter's words quoted in every message. */
const MAX_NOTE = 500;

function notesOf(incident: Incident): string[] {
  const notes: string[] = [];
  if (incident.reportedUserName && incident.reportedUserName !== incident.userName) {
    const named = incident.reportedUserName;
    notes.push(`The report named user ${named}, who does not own this key: ${named} was not changed.`);
  }
  if (incident.reportedAccountId && incident.reportedAccountId !== incident.accountId) {
    notes.push(`The report named account ${incident.reportedAccountId}, the key is of account ${incident.accountId}: nothing was done in account ${incident.reportedAccountId}.`);
  }
  if (incident.reporterNote) {
    const words = Array.from(incident.reporterNote.replace(/\s+/g, ' ').trim());
    notes.push(`The reporter wrote: "${words.length > MAX_NOTE ? `${words.slice(0, MAX_NOTE - 3).join('')}...` : words.join('')}"`);
  }
  return notes;
}

function buildTimeline(state: WorkflowState, containment: ContainmentEntry[], activity: ActivitySummary | undefined, generatedAt: string): TimelineEntry[] {
  const { incident } = state;
  const entries: TimelineEntry[] = [];
  if (activity?.firstSeen) entries.push({ at: activity.firstSeen, event: 'First call by the key seen in CloudTrail (lookback window)' });
  if (activity?.lastSeen && activity.lastSeen !== activity.firstSeen) entries.push({ at: activity.lastSeen, event: 'Last call by the key seen in CloudTrail' });
  entries.push({ at: incident.detectedAt, event: `Exposure reported: ${incident.detail}` });
  entries.push({ at: incident.dispatchedAt, event: 'Response started' });
  for (const c of containment) if (c.at) entries.push({ at: c.at, event: `Containment ${c.action} ${c.status}: ${c.detail}` });
  const v = state.verification;
  if (v && !isFailure(v)) entries.push({ at: v.checkedAt, event: `Verification: ${v.status}${v.problems.length > 0 ? ` (${v.problems.join('; ')})` : ''}` });
  // What the footholds steps changed, when: the first ones (the record has every result).
  const changed = (footholdsOf(state)?.results ?? []).filter((r) => r.status === 'done' || r.status === 'failed');
  for (const r of changed.slice(0, MAX_FOOTHOLD_EVENTS)) entries.push({ at: r.at, event: `Foothold ${r.status === 'done' ? 'contained' : 'NOT contained'}: ${r.detail}` });
  const second = secondLookOf(state);
  if (second) entries.push({ at: second.to, event: `Second look at CloudTrail: ${second.held ? 'containment held' : `containment did NOT hold (${second.usedCount} call(s) after it)`}, ${second.newFootholds} new foothold(s)` });
  entries.push({ at: generatedAt, event: 'Record written' });
  // Stable: equal times keep the order above; an unreadable time goes last.
  const time = (at: string) => {
    const ms = Date.parse(at);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  return entries.map((e, i) => ({ e, i })).sort((a, b) => time(a.e.at) - time(b.e.at) || a.i - b.i).map(({ e }) => e);
}

/**
 * The time a message renders the record at: the time of the record's last write (its
 * `generatedAt`), so that every figure that depends on the time (what an instance has cost so far)
 * is the same in the message as in the record; `now` when the record was not written.
 */
export function recordTime(state: WorkflowState, now: Date): Date {
  const written = state.report && !isFailure(state.report) ? state.report.writtenAt : undefined;
  const at = written === undefined ? Number.NaN : Date.parse(written);
  return Number.isNaN(at) ? now : new Date(at);
}

/** The incident record: pure, from the parsed workflow state and the time it is written. */
export function buildReport(state: WorkflowState, now: Date): IncidentReport {
  const generatedAt = now.toISOString();
  const investigation = state.investigation && !isFailure(state.investigation) ? state.investigation : undefined;
  const evidence = state.evidence && !isFailure(state.evidence) ? state.evidence : undefined;
  const verification = state.verification && !isFailure(state.verification) ? state.verification : undefined;
  const activity: ActivitySummary | undefined = investigation
    ? (({ reach: _r, leftBehind: _l, failures: _f, ...rest }) => rest)(investigation)
    : undefined;
  const leftBehind = investigation ? leftBehindOf(investigation.leftBehind) : undefined;
  const containment = containmentOf(state);
  const failures = collectFailures(state);
  const decided = decideOutcome(state, containment, failures);
  const unsearched = unsearchedRegions(failures, 'investigation');
  const facts = { state, containment, failures, outcome: decided.outcome, leftBehind, evidence, unsearched };
  return {
    reportVersion: 2,
    incidentId: state.incident.incidentId,
    generatedAt,
    outcome: decided.outcome,
    complete: isComplete(state, decided.outcome),
    headline: decided.headline,
    stillOpen: buildStillOpen(facts),
    incident: state.incident,
    notes: notesOf(state.incident),
    ...optional('executionId', state.executionId),
    timeline: buildTimeline(state, containment, activity, generatedAt),
    containment,
    dryRun: decided.outcome === 'dry-run',
    ...optional('verification', verification),
    ...optional('activity', activity),
    ...optional('reach', investigation?.reach),
    ...optional('leftBehind', leftBehind),
    ...optional('unsearchedRegions', unsearched.length > 0 ? unsearched : undefined),
    ...optional('evidence', evidence),
    ...optional('footholds', footholdsOf(state)),
    ...optional('secondLook', secondLookOf(state)),
    ...optional('costExposure', costExposureOf(afterStops(evidence, footholdsOf(state)), now)),
    ...optional('recordUrl', state.report && !isFailure(state.report) ? state.report.consoleUrl : undefined),
    ...optional('supportCase', supportLine(state.support)),
    failures,
    followUps: buildFollowUps(facts),
    undo: buildUndo(facts),
    links: consoleLinks(state.incident, state.executionId),
  };
}

/** Where an incident's report lives in the incident bucket. */
export function reportKeys(incidentId: string): { jsonKey: string; markdownKey: string } {
  return { jsonKey: `incidents/${incidentId}/report.json`, markdownKey: `incidents/${incidentId}/report.md` };
}

export function consoleUrlFor(bucket: string, key: string): string {
  return `https://s3.console.aws.amazon.com/s3/object/${bucket}?prefix=${key}`;
}
