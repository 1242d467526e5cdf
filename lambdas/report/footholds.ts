// The footholds in the record: what the footholds step did about what CloudTrail tied to the key.
// Decided here, once (what is still open, what undoes each change, how each renders in groups);
// the email, Slack, the support case and report.md only render the groups.
import type { EvidenceResult } from '../evidence/contract';
import type { FootholdContainment, FootholdResult } from '../footholds/contract';
import { isFailure, WorkflowState } from '../shared/state';
import type { OpenItem } from './open';

/** `report.json`'s footholds: every result the step returned, and its summary. */
export type FootholdsRecord = FootholdContainment;

/** A heading and its items (each with its command), rendered the same way by every message. */
export interface FootholdGroup {
  readonly title: string;
  readonly items: OpenItem[];
}

const IN_PLACE = new Set<FootholdResult['status']>(['done', 'already']);
const TO_ACT = new Set<FootholdResult['status']>(['open', 'failed', 'skipped']);

/**
 * What the footholds steps did, as one: the first pass's (ContainFootholds), then the second
 * look's (ContainNewFootholds), when they ran and returned one.
 */
export function footholdsOf(state: WorkflowState): FootholdsRecord | undefined {
  const runs = [state.footholds, state.secondFootholds].filter((f): f is FootholdContainment => f !== undefined && !isFailure(f));
  if (runs.length <= 1) return runs[0];
  const [first, second] = runs;
  const truncated = [first.truncated, second.truncated].filter((t): t is string => t !== undefined);
  return {
    results: [...first.results, ...second.results],
    summary: {
      contained: first.summary.contained && second.summary.contained,
      containedCount: first.summary.containedCount + second.summary.containedCount,
      open: [...first.summary.open, ...second.summary.open],
    },
    ...(truncated.length > 0 ? { truncated: truncated.join('; ') } : {}),
  };
}

/** Whether something the key created or assumed is still open (a step failed, or a summary says so). */
export function footholdsOpen(state: WorkflowState): boolean {
  if (isFailure(state.footholds) || isFailure(state.secondFootholds)) return true;
  const f = footholdsOf(state);
  return f !== undefined && !f.summary.contained;
}

/** What is still open of the footholds, each with the command that finishes it: the steps' summaries. */
export function footholdOpenItems(state: WorkflowState): OpenItem[] {
  const failed = [
    ...(isFailure(state.footholds) ? ['footholds.json'] : []),
    ...(isFailure(state.secondFootholds) ? ['second-look-footholds.json'] : []),
  ].map((file) => ({ what: `What the key created or assumed is NOT contained (the footholds step failed): read ${file} in the incident bucket and contain each by hand.` }));
  const f = footholdsOf(state);
  // The summary's "open: " adds nothing to an ACTION REQUIRED line; a failed or skipped one says it is a foothold.
  const open = !f || f.summary.contained ? [] : f.summary.open.map((o) => ({ what: o.what.startsWith('open: ') ? o.what.slice(6) : `Foothold ${o.what}`, ...(o.command ? { command: o.command } : {}) }));
  return [...failed, ...open];
}

/** How to undo each foothold containment the responder did (or found in place). */
export function footholdUndo(state: WorkflowState): OpenItem[] {
  const f = footholdsOf(state);
  return (f?.results ?? [])
    .filter((r) => IN_PLACE.has(r.status) && r.undo)
    .map((r) => ({ what: `Only if it is legitimate, undo: ${r.detail}.`, command: r.undo }));
}

/**
 * The footholds by what a reader must do: ACTION REQUIRED (a human must act: the command finishes
 * it), contained (the command undoes it), would be contained (dry run), only reported (the command
 * undoes what the attacker did). Empty groups are left out.
 */
export function footholdGroups(footholds: FootholdsRecord | undefined): FootholdGroup[] {
  if (!footholds) return [];
  const rs = footholds.results;
  const line = (r: FootholdResult, prefix = '') => `${prefix}${r.foothold}: ${r.detail}${r.errorCode ? ` (${r.errorCode})` : ''}`;
  const groups: FootholdGroup[] = [
    {
      title: 'ACTION REQUIRED, footholds still open',
      items: rs.filter((r) => TO_ACT.has(r.status)).map((r) => ({ what: line(r, `[${r.status.toUpperCase()}] `), ...(r.command ? { command: r.command } : {}) })),
    },
    {
      title: `Footholds contained (${footholds.summary.containedCount}), each with the command that undoes it`,
      items: rs.filter((r) => IN_PLACE.has(r.status)).map((r) => ({ what: line(r), ...(r.undo ? { command: r.undo } : {}) })),
    },
    {
      title: 'Footholds that would be contained (dry run: nothing was changed)',
      items: rs.filter((r) => r.status === 'dry-run').map((r) => ({ what: line(r), ...(r.command ? { command: r.command } : {}) })),
    },
    {
      title: 'Footholds only reported (not changed: the command undoes what the key did)',
      items: rs.filter((r) => r.status === 'reported').map((r) => ({ what: line(r), ...(r.undo ? { command: r.undo } : {}) })),
    },
  ];
  const out = groups.filter((g) => g.items.length > 0);
  if (footholds.truncated) out.push({ title: 'Footholds not listed here', items: [{ what: footholds.truncated }] });
  return out;
}

/** The state the cost exposure shows for an instance the footholds step stopped (it was described running). */
export const STOPPED_BY_RESPONDER = 'stopped by the responder';

/**
 * The evidence as the cost exposure should read it: an instance the footholds step stopped (done,
 * or found stopping) no longer bills by the hour, whatever the evidence step saw before.
 */
export function afterStops(evidence: EvidenceResult | undefined, footholds: FootholdsRecord | undefined): EvidenceResult | undefined {
  const prefix = 'stop-instance ';
  const stopped = new Set((footholds?.results ?? []).filter((r) => r.action === 'stop-instance' && IN_PLACE.has(r.status)).map((r) => r.id.slice(prefix.length)));
  if (!evidence || stopped.size === 0) return evidence;
  return { ...evidence, snapshots: evidence.snapshots.map((s) => (stopped.has(`${s.region} ${s.instanceId}`) ? { ...s, state: STOPPED_BY_RESPONDER } : s)) };
}
