// What a human still owes: the open items (commands first), the follow-ups and the undo steps.
// Decided here, from the same facts as the outcome; the messages only render them.
import type { EvidenceResult } from '../evidence/contract';
import {
  compactQuarantinePolicy,
  QUARANTINE_INLINE_POLICY_NAME,
  REVOKE_SESSIONS_POLICY_NAME,
  revocationTime,
  revokeOlderSessionsPolicy,
} from '../shared/policies';
import { isFailure, WorkflowState } from '../shared/state';
import type { Outcome } from './contract';
import type { ReportFailure } from './decide';
import { footholdOpenItems, footholdUndo } from './footholds';
import { secondLookOpenItems } from './second-look';
import type { ContainmentEntry, LeftBehind } from './record';
import { deletedRootKeyUndo, rootKeyDeletion, rootOpenItems } from './root-key';
import { shellArg } from './shell';

export { shellArg };

/** Something to do; `command` is the exact AWS CLI command that does it, when there is one. */
export interface OpenItem {
  readonly what: string;
  readonly command?: string;
}

export interface RecordFacts {
  readonly state: WorkflowState;
  readonly containment: ContainmentEntry[];
  readonly failures: ReportFailure[];
  readonly outcome: Outcome;
  readonly leftBehind?: LeftBehind;
  readonly evidence?: EvidenceResult;
  /** Regions the investigation's CloudTrail search did not finish (see activity-lines.ts). */
  readonly unsearched?: readonly string[];
}

const DONE = new Set(['done', 'already']);

/** Whether the containment action is in place (a failed branch, or a Parallel that failed as a whole, leaves it not done). */
function isDone(facts: Pick<RecordFacts, 'containment'>, action: string): boolean {
  return facts.containment.some((c) => c.action === action && DONE.has(c.status));
}

/** The revocation time the workflow would have used; the start itself when it is not a date. */
function revokeBefore(dispatchedAt: string): string {
  try {
    return revocationTime(dispatchedAt);
  } catch {
    return new Date().toISOString();
  }
}

/** The key may still work: IAM said Active, or its deactivation was not done. */
export function keyMayBeActive(facts: Pick<RecordFacts, 'state' | 'containment'>): boolean {
  const v = facts.state.verification;
  if (v && !isFailure(v) && v.keyStatus) return v.keyStatus === 'Active';
  return !isDone(facts, 'deactivate-key');
}

/** The workflow's name of each containment branch. */
const BRANCH_STEP: Readonly<Record<string, string>> = { 'deactivate-key': 'DeactivateKey', 'revoke-sessions': 'RevokeSessions', quarantine: 'Quarantine' };
const ESCALATION = 'EscalationRequiredError: ';
/** The workflow state of the record's first write; `RewriteReport` is its last. */
const FIRST_WRITE = 'WriteReport';

/** A branch that contain refused to finish safely: its error carries the commands a human must run. */
function byHandCommands(facts: RecordFacts, action: string): string | undefined {
  const f = facts.failures.find((x) => x.source === 'containment' && x.what === BRANCH_STEP[action] && x.error.startsWith(ESCALATION));
  return f?.error.slice(ESCALATION.length);
}

function policyJson(document: unknown): string {
  return `'${JSON.stringify(document)}'`;
}

/** What is still open, most urgent first: the key, the sessions, the quarantine, then what is unknown. */
export function buildStillOpen(facts: RecordFacts): OpenItem[] {
  const { incident } = facts.state;
  const user = shellArg(incident.userName);
  const key = shellArg(incident.accessKeyId);
  // Containment that did not hold comes before everything: the attacker is still in.
  const items: OpenItem[] = [...secondLookOpenItems(facts.state)];
  if (incident.principalType === 'root') {
    items.push(...rootOpenItems(key, rootKeyDeletion(facts.containment), byHandCommands(facts, 'deactivate-key')));
  } else {
    const escalated = facts.outcome === 'escalated';
    if (keyMayBeActive(facts)) {
      items.push({
        what: escalated
          ? `Access key ${key} of ${user} is still Active (${user} is protected: nothing was changed): decide now whether to deactivate it.`
          : `Access key ${key} of ${user} is still Active: deactivate it now.`,
        command: `aws iam update-access-key --user-name ${user} --access-key-id ${key} --status Inactive`,
      });
    }
    for (const action of ['revoke-sessions', 'quarantine']) {
      const byHand = byHandCommands(facts, action);
      if (byHand) items.push({ what: `${BRANCH_STEP[action]} could not be done safely, a human must finish it: ${byHand}` });
    }
    if (!escalated && !isDone(facts, 'revoke-sessions') && !byHandCommands(facts, 'revoke-sessions')) {
      const before = revokeBefore(incident.dispatchedAt);
      items.push({
        // Not done can be not written, or written and not read back (RevokeSessions' error says which): not confirmed either way.
        what: `Sessions of ${user} issued before ${before} are not confirmed revoked (RevokeSessions did not finish, see What failed): put the revoke policy on the user (putting it again is harmless).`,
        command: `aws iam put-user-policy --user-name ${user} --policy-name ${REVOKE_SESSIONS_POLICY_NAME} --policy-document ${policyJson(revokeOlderSessionsPolicy(before))}`,
      });
    }
    if (!escalated && !isDone(facts, 'quarantine') && !byHandCommands(facts, 'quarantine')) {
      items.push({
        what: `${user} is not quarantined: put the quarantine policy on the user.`,
        command: `aws iam put-user-policy --user-name ${user} --policy-name ${QUARANTINE_INLINE_POLICY_NAME} --policy-document ${policyJson(compactQuarantinePolicy())}`,
      });
    }
  }
  const failedOf = (source: string) => facts.failures.filter((f) => f.source === source);
  // After a failed containment, the verification's failure is its consequence: the items above say what to do.
  const containmentFailed = failedOf('containment').length > 0;
  for (const f of containmentFailed ? [] : failedOf('verification')) {
    items.push({
      what: `Containment was not verified (${f.error}): check that key ${key} is Inactive and the policies are on ${user}.`,
      command: `aws iam list-access-keys --user-name ${user} && aws iam list-user-policies --user-name ${user} && aws iam list-attached-user-policies --user-name ${user}`,
    });
  }
  // What the key created or assumed and is still open: right after the key itself and its check.
  items.push(...footholdOpenItems(facts.state));
  if (isFailure(facts.state.investigation)) {
    items.push({ what: 'What the key did is not known (the investigation failed): search CloudTrail event history in every region for the key (link below).' });
  }
  items.push(...unsearchedItems(facts));
  const notSnapshotted = (facts.evidence?.snapshots ?? []).filter((s) => s.status === 'failed');
  for (const s of notSnapshotted) {
    items.push({
      what: `Instance ${s.instanceId} in ${s.region} was not snapshotted (${s.error ?? 'failed'}): snapshot it before anyone terminates it.`,
      command: `aws ec2 create-snapshots --region ${shellArg(s.region)} --instance-specification ${shellArg(`InstanceId=${s.instanceId}`)} --copy-tags-from-source volume`,
    });
  }
  if (isFailure(facts.state.evidence) || facts.evidence?.skipped) {
    items.push({ what: 'No evidence was preserved: snapshot the instances the key launched or started before anyone terminates them.' });
  }
  for (const f of failedOf('support')) {
    items.push({ what: `AWS support was not told (${f.error}): answer the case AWS opened about the key, in the Support Center console.` });
  }
  for (const f of failedOf('report')) {
    // The first write (before the support and Slack steps) is tried again at the end: not final yet.
    items.push({
      what: f.what === FIRST_WRITE
        ? `The incident record could not be written yet (${f.error}): it is tried again at the end of the response.`
        : `The incident record could not be written (${f.error}): this message is the only record of the response.`,
    });
  }
  return items;
}

/**
 * A region whose CloudTrail search stopped early: the key's calls there, and the instances, users
 * and keys it created there, may not have been found, so nothing there was snapshotted or
 * contained. The human searches it by hand, from the start of the lookback.
 */
function unsearchedItems(facts: RecordFacts): OpenItem[] {
  const inv = facts.state.investigation;
  const from = inv && !isFailure(inv) ? ` --start-time ${shellArg(inv.lookback.from)}` : '';
  const key = shellArg(facts.state.incident.accessKeyId);
  return (facts.unsearched ?? []).map((region) => ({
    what: `The investigation is incomplete in ${region}: CloudTrail could not be searched to the end there, so instances, users and keys the key created there may not have been found, snapshotted or contained. Search its calls there by hand, then snapshot and stop what it launched.`,
    command: `aws cloudtrail lookup-events --region ${shellArg(region)} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${key}${from}`,
  }));
}

/** What a human owes once the open items are done. */
export function buildFollowUps(facts: RecordFacts): string[] {
  const { incident } = facts.state;
  const steps: string[] = [];
  if (incident.principalType !== 'root') {
    steps.push(
      keyMayBeActive(facts)
        ? `Rotate the key in the application that uses it: create a new key for ${incident.userName}, deploy it, then delete ${incident.accessKeyId}.`
        : `Rotate the key in the application that used it: create a new key for ${incident.userName}, deploy it, then delete ${incident.accessKeyId} (it is Inactive, so it can still be restored until then).`,
    );
  }
  const left = facts.leftBehind;
  if (left) {
    if (left.users.length > 0) steps.push(`Review and delete the IAM users the key created: ${left.users.join(', ')}.`);
    if (left.accessKeys.length > 0) {
      steps.push(`Delete the access keys the key created: ${left.accessKeys.map((k) => (k.accessKeyId ? `${k.accessKeyId} (${k.userName})` : `a key of ${k.userName}`)).join(', ')}.`);
    }
    if (left.loginProfiles.length > 0) steps.push(`Delete the console passwords the key created: ${left.loginProfiles.join(', ')}.`);
    if (left.roles.length > 0) steps.push(`Review and delete the roles the key created: ${left.roles.join(', ')}.`);
    if (left.policies.length > 0) steps.push(`Review the policies the key created or attached: ${left.policies.join(', ')}.`);
    // An instance the evidence step found gone needs no cleaning up.
    const gone = new Set((facts.evidence?.snapshots ?? []).filter((s) => s.status === 'gone').map((s) => `${s.region}/${s.instanceId}`));
    const where = Object.keys(left.instancesByRegion)
      .sort()
      .flatMap((region) => {
        const ids = left.instancesByRegion[region].map((i) => i.instanceId).filter((id) => !gone.has(`${region}/${id}`));
        return ids.length > 0 ? [`${region}: ${ids.join(', ')}`] : [];
      });
    if (where.length > 0) steps.push(`Stop or terminate the instances the key launched or started, once their snapshots are complete: ${where.join('; ')}.`);
    steps.push('Review what the key did (below) and confirm nothing else was created.');
  }
  steps.push('Check the bill in every region for resources nobody launched.');
  const support = facts.state.support;
  if (support && !isFailure(support)) {
    if (support.status === 'unavailable') steps.push(...(support.manualSteps ?? []));
    else if (support.status === 'dry-run') steps.push('Answer the AWS support case by hand if AWS opened one (dry run: nothing was sent).');
    else steps.push(`Follow AWS support case ${support.displayId ?? support.caseId}: AWS may ask for more.`);
  } else if (!support) {
    steps.push(incident.awsCaseId ? `Answer AWS support case ${incident.awsCaseId}.` : 'Answer the AWS support case, if AWS opened one.');
  }
  return steps;
}

/** The quarantine actually in place: the inline fallback, or the managed policy (its ARN from the step's detail). */
function quarantineUndo(user: string, entry: ContainmentEntry): OpenItem {
  if (entry.detail.includes(QUARANTINE_INLINE_POLICY_NAME)) {
    return { what: `Delete the inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} from ${user}.`, command: `aws iam delete-user-policy --user-name ${user} --policy-name ${QUARANTINE_INLINE_POLICY_NAME}` };
  }
  const arn = /arn:[\w-]+:iam::\d{12}:policy\/[\w+=,.@/-]+/.exec(entry.detail)?.[0];
  return arn
    ? { what: `Detach the quarantine policy ${arn} from ${user}.`, command: `aws iam detach-user-policy --user-name ${user} --policy-arn ${arn}` }
    : { what: `Detach the responder's quarantine policy from ${user} (${entry.detail}).` };
}

/** How to undo exactly what the responder changed, once the user is clean. Nothing for what was never changed. */
export function buildUndo(facts: RecordFacts): OpenItem[] {
  const { incident } = facts.state;
  const user = shellArg(incident.userName);
  const items: OpenItem[] = [];
  for (const entry of facts.containment) {
    if (!DONE.has(entry.status)) continue;
    if (entry.action === 'revoke-sessions') {
      items.push({ what: `Delete the inline policy ${REVOKE_SESSIONS_POLICY_NAME} from ${user}.`, command: `aws iam delete-user-policy --user-name ${user} --policy-name ${REVOKE_SESSIONS_POLICY_NAME}` });
    } else if (entry.action === 'quarantine') {
      items.push(quarantineUndo(user, entry));
    } else if (entry.action === 'deactivate-key' && incident.principalType === 'root') {
      // Nothing of a root user is ever set Inactive: its key was deleted, or left alone.
      const deleted = rootKeyDeletion([entry]);
      if (deleted) items.push(deletedRootKeyUndo(deleted));
    } else if (entry.action === 'deactivate-key') {
      items.push({
        what: `Only if key ${incident.accessKeyId} must work again (better: rotate and delete it): reactivate it.`,
        command: `aws iam update-access-key --user-name ${user} --access-key-id ${shellArg(incident.accessKeyId)} --status Active`,
      });
    }
  }
  items.push(...footholdUndo(facts.state));
  return items;
}
