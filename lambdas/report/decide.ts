// What failed and what the outcome is: decided here, once, for the record every message renders.
import type { SupportResult } from '../support/contract';
import { isFailure, WorkflowState } from '../shared/state';
import { CaughtError, StepFailure } from '../shared/steps';
import type { Outcome } from './contract';
import { footholdsOf, footholdsOpen } from './footholds';
import { keyMayBeActive } from './open';
import { didNotHold } from './second-look';
import type { ContainmentEntry } from './record';
import { deletedRootKeyHeadline, isRootReachNote, rootKeyDeletion, rootKeyDeletionPlanned } from './root-key';

export interface ReportFailure {
  /** The step's slot in the workflow state: containment, verification, investigation, evidence, footholds, second-look, support, slack, report, notification; or dispatcher (its call before the workflow, carried by the incident). */
  readonly source: string;
  /** What failed: a step, an operation, a snapshot. */
  readonly what: string;
  readonly error: string;
}

/**
 * A caught error, readable: a Lambda error's Cause is a JSON document whose `errorMessage` is what a
 * human wants; anything else is shown as it is.
 */
export function explainError(error: CaughtError): string {
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown } | null;
    if (typeof parsed?.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: keep it as it is
  }
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

function failureOf(source: string, f: StepFailure): ReportFailure {
  return { source, what: f.failed.step, error: explainError(f.failed.error) };
}

/** Everything that failed, from every step, in the order of the workflow. */
export function collectFailures(state: WorkflowState): ReportFailure[] {
  const failures: ReportFailure[] = [];
  const { incident } = state;
  if (incident.ownerLookupError) {
    failures.push({
      source: 'dispatcher',
      what: 'iam:GetAccessKeyLastUsed',
      error: `${incident.ownerLookupError}: IAM did not name the owner of key ${incident.accessKeyId}; ${incident.userName} was confirmed as its owner by ListAccessKeys instead (it lists the key under ${incident.userName}). Check the dispatcher role's iam:GetAccessKeyLastUsed permission.`,
    });
  }
  const c = state.containment;
  if (c === undefined) failures.push({ source: 'containment', what: 'Contain', error: 'no containment result in the workflow state' });
  else if (isFailure(c)) failures.push(failureOf('containment', c));
  else for (const branch of c) if (isFailure(branch)) failures.push(failureOf('containment', branch));
  if (isFailure(state.verification)) failures.push(failureOf('verification', state.verification));
  const inv = state.investigation;
  if (isFailure(inv)) failures.push(failureOf('investigation', inv));
  else for (const f of inv?.failures ?? []) failures.push({ source: 'investigation', what: f.what, error: f.error });
  const ev = state.evidence;
  if (isFailure(ev)) failures.push(failureOf('evidence', ev));
  else {
    for (const s of ev?.snapshots ?? []) {
      if (s.status === 'failed' || s.error) failures.push({ source: 'evidence', what: `snapshots of instance ${s.instanceId} in ${s.region}`, error: s.error ?? 'unknown error' });
    }
  }
  if (isFailure(state.footholds)) failures.push(failureOf('footholds', state.footholds));
  // A foothold action that failed (AccessDenied...) is a failure too, not only an open item.
  for (const r of footholdsOf(state)?.results ?? []) {
    if (r.status === 'failed') failures.push({ source: 'footholds', what: r.id, error: `${r.errorCode ?? 'failed'}: ${r.detail}` });
  }
  const second = state.secondLook;
  if (isFailure(second)) failures.push(failureOf('second-look', second));
  else for (const f of second?.failures ?? []) failures.push({ source: 'second-look', what: f.what, error: f.error });
  if (isFailure(state.secondFootholds)) failures.push(failureOf('footholds', state.secondFootholds));
  if (isFailure(state.support)) failures.push(failureOf('support', state.support));
  if (isFailure(state.slack)) failures.push(failureOf('slack', state.slack));
  else if (state.slack?.status === 'failed') failures.push({ source: 'slack', what: 'Slack notification', error: state.slack.error ?? 'failed' });
  if (isFailure(state.report)) failures.push(failureOf('report', state.report));
  if (isFailure(state.notification)) failures.push(failureOf('notification', state.notification));
  return failures;
}

/**
 * Whether the response is complete, so the execution may succeed: containment in place (or nothing
 * to change), and no step failed as a whole. Gaps inside a step's output (a region not searched, a
 * snapshot not taken) and a Slack failure are in the record but do not fail the execution.
 */
export function isComplete(state: WorkflowState, outcome: Outcome): boolean {
  if (outcome === 'failed') return false;
  const slots = [state.verification, state.investigation, state.evidence, state.footholds, state.secondLook, state.secondFootholds, state.support, state.report, state.notification];
  return state.containment !== undefined && !slots.some((slot) => isFailure(slot));
}

/** Why no one may act automatically on this principal, or undefined. */
export function escalation(state: WorkflowState, containment: ContainmentEntry[]): string | undefined {
  const { incident } = state;
  if (incident.principalType === 'root') {
    // Deleted through centralized root access (or would be, in a dry run): not left to people.
    if (rootKeyDeletion(containment) || rootKeyDeletionPlanned(containment)) return undefined;
    return 'ROOT access key exposed: the root user must act now, by hand';
  }
  const allSkipped = containment.length > 0 && containment.every((c) => c.status === 'skipped');
  if (incident.protectedPrincipal || allSkipped) return `Protected user ${incident.userName}: nothing was changed, a human must act now`;
  return undefined;
}

/** What a failed containment leaves working: the key itself, unless it is known Inactive; then what the failed branches did not stop. */
function failedConsequence(state: WorkflowState, containment: ContainmentEntry[], failedBranches: string[]): string {
  const key = state.incident.accessKeyId;
  if (keyMayBeActive({ state, containment })) return `access key ${key} may still work`;
  const open = [
    ...(failedBranches.includes('RevokeSessions') ? [`sessions of user ${state.incident.userName} issued before the response may still work`] : []),
    ...(failedBranches.includes('Quarantine') ? [`user ${state.incident.userName} is not quarantined`] : []),
  ];
  return `access key ${key} is Inactive, but ${open.length > 0 ? open.join(' and ') : 'containment is not complete'}`;
}

export function decideOutcome(
  state: WorkflowState,
  containment: ContainmentEntry[],
  failures: ReportFailure[],
): { outcome: Outcome; headline: string } {
  const key = state.incident.accessKeyId;
  const deletedRoot = rootKeyDeletion(containment);
  const contained = deletedRoot ? deletedRootKeyHeadline(deletedRoot) : 'Exposed access key contained';
  const failedBranches = failures.filter((f) => f.source === 'containment').map((f) => f.what);
  if (failedBranches.length > 0) {
    return { outcome: 'failed', headline: `Containment FAILED (${failedBranches.join(', ')}): ${failedConsequence(state, containment, failedBranches)}` };
  }
  if (failures.some((f) => f.source === 'verification')) {
    return { outcome: 'failed', headline: `Containment of access key ${key} could NOT be verified: check it by hand now` };
  }
  const escalated = escalation(state, containment);
  if (escalated) return { outcome: 'escalated', headline: escalated };
  if (containment.some((c) => c.status === 'dry-run')) return { outcome: 'dry-run', headline: 'Dry run: nothing was changed' };
  // A call after containment by the key or what it created: the most urgent news of all.
  const notHeld = didNotHold(state);
  if (notHeld) return { outcome: 'contained-with-gaps', headline: notHeld };
  // The root user's reach is never listed (investigate/reach.ts says so as a failure): no gap of a deleted root key.
  const gaps = deletedRoot ? failures.filter((f) => !isRootReachNote(state, f)) : failures;
  if (gaps.length > 0) {
    const n = gaps.length;
    return { outcome: 'contained-with-gaps', headline: `${contained}, with gaps: ${n} ${n === 1 ? 'thing' : 'things'} failed` };
  }
  // The key is contained only when every foothold found is too (the step's summary says so).
  if (footholdsOpen(state)) {
    const n = footholdsOf(state)?.summary.open.length ?? 0;
    return { outcome: 'contained-with-gaps', headline: `${contained}, with gaps: ${n} ${n === 1 ? 'thing' : 'things'} the key created or assumed still open` };
  }
  return { outcome: 'contained', headline: contained };
}

/** One line on the AWS support case, from the support step's result; undefined when it did not run or failed. */
export function supportLine(support: WorkflowState['support']): string | undefined {
  if (!support || isFailure(support)) return undefined;
  const s: SupportResult = support;
  const id = s.displayId ?? s.caseId;
  switch (s.status) {
    case 'communication-added':
      return `AWS support case ${id} was answered with what was done and found.`;
    case 'already-answered':
      return `AWS support case ${id} had already been answered for this incident.`;
    case 'case-created':
      return `AWS support: security case ${id} opened with what was done and found.`;
    case 'dry-run':
      return `AWS support: dry run: would ${s.wouldDo ?? 'answer or open the case'}.`;
    case 'unavailable':
      return `AWS support: no case could be opened or answered: ${s.reason ?? 'the support plan does not include the Support API'}.`;
  }
}
