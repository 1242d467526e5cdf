/**
 * What `restore` would do, decided from the record and what IAM says now. Pure. It undoes only what
 * the record says the responder changed on the incident's own user, and refuses everything when
 * the record lacks the facts or a policy is no longer what the responder wrote. The policy names
 * and documents it recognises are those of lambdas/shared/policies.ts, which containment writes.
 */
import { compactQuarantinePolicy, QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME } from '../../lambdas/shared/policies';
import { sameDocument, UserChange } from '../../lambdas/shared/user-changes';
import { revocationTimeOf } from '../../lambdas/shared/user-reads';
import { IncidentRecord } from '../incidents';

export type RestoreStep =
  | { readonly kind: 'reactivate-key'; readonly userName: string; readonly accessKeyId: string; readonly what: string }
  | { readonly kind: 'delete-user-policy'; readonly userName: string; readonly policyName: string; readonly what: string }
  | { readonly kind: 'put-user-policy'; readonly userName: string; readonly policyName: string; readonly document: string; readonly what: string }
  | { readonly kind: 'detach-user-policy'; readonly userName: string; readonly policyArn: string; readonly what: string };

export interface RestorePlan {
  readonly steps: RestoreStep[];
  /** What stays as it is, and why (found before the response, already undone, the key kept Inactive). */
  readonly kept: string[];
  /** Why the restore must not run: any one refuses it all. */
  readonly refusals: string[];
}

/** What IAM says now about each changed thing, keyed by {@link factKey}. */
export type CurrentFacts = ReadonlyMap<string, string | boolean | undefined>;

export function factKey(change: UserChange): string {
  switch (change.kind) {
    case 'access-key-status':
      return `key ${change.userName} ${change.accessKeyId}`;
    case 'inline-policy':
      return `inline ${change.userName} ${change.policyName}`;
    case 'managed-policy':
      return `attached ${change.userName} ${change.policyArn}`;
    case 'root-access-key-deleted':
      return `root key ${change.accountId} ${change.accessKeyId}`;
  }
}

/** The responder's own inline policies, and what makes a document one of them. */
const RESPONDER_INLINE: Readonly<Record<string, (document: string) => boolean>> = {
  [REVOKE_SESSIONS_POLICY_NAME]: (d) => revocationTimeOf(d) !== undefined,
  [QUARANTINE_INLINE_POLICY_NAME]: (d) => sameDocument(d, JSON.stringify(compactQuarantinePolicy())),
};

/** AWS's advice, said whenever a key is set Active again. */
export const REACTIVATION_WARNING =
  'AWS advises that an exposed access key be replaced, not reused: anyone who copied it can use it again once it is Active. Rotate it instead: create a new key, move its users to it, then delete the exposed one.';

/** The changes the record keeps, each with the containment entry it came from; `missing` names entries that changed the user without them. */
export function recordedChanges(record: IncidentRecord): { changes: UserChange[]; missing: string[] } {
  const done = record.containment.filter((c) => c.status === 'done');
  return {
    changes: done.flatMap((c) => c.changes ?? []),
    missing: done.filter((c) => c.changes === undefined).map((c) => c.action),
  };
}

export function planRestore(record: IncidentRecord, current: CurrentFacts, options: { reactivateKey: boolean; quarantinePolicyArn: string }): RestorePlan {
  const steps: RestoreStep[] = [];
  const kept: string[] = [];
  const refusals: string[] = [];
  if (record.dryRun) return { steps, kept: ['the response was a dry run: it changed nothing'], refusals };
  const { changes, missing } = recordedChanges(record);
  for (const action of missing) {
    refusals.push(`the record does not say what ${action} found before it (written by an earlier version): undo by hand with the record's undo commands`);
  }
  const own = record.incident.userName;
  for (const change of changes) {
    if (change.userName !== own) {
      refusals.push(`the record names a change on user ${change.userName}, not the incident's own user ${own}: refused`);
      continue;
    }
    const now = current.get(factKey(change));
    switch (change.kind) {
      case 'access-key-status': {
        const key = `access key ${change.accessKeyId} of user ${own}`;
        if (change.before === 'Inactive') kept.push(`${key} was already Inactive before the response: it stays Inactive`);
        else if (now === undefined) kept.push(`${key} no longer exists: nothing to restore`);
        else if (now !== 'Inactive') kept.push(`${key} is ${String(now)} already: left as it is`);
        else if (!options.reactivateKey) kept.push(`${key} stays Inactive (--reactivate-key sets it Active). ${REACTIVATION_WARNING}`);
        else steps.push({ kind: 'reactivate-key', userName: own, accessKeyId: change.accessKeyId, what: `set ${key} Active again${change.before ? '' : ' (the record does not say its status before the response)'}. ${REACTIVATION_WARNING}` });
        break;
      }
      case 'inline-policy': {
        const policy = `inline policy ${change.policyName} of user ${own}`;
        const ours = RESPONDER_INLINE[change.policyName];
        // The document put back must be the responder's too: a record is never trusted to write any policy.
        if (!ours || !ours(change.after) || (change.before !== undefined && !ours(change.before))) {
          refusals.push(`${policy} is not a policy the responder writes (name or document): refused`);
          break;
        }
        const found = typeof now === 'string' ? now : undefined;
        if (found === undefined) kept.push(`${policy} is gone already: nothing to remove`);
        else if (change.before !== undefined && sameDocument(found, change.before)) kept.push(`${policy} is as it was before the response already`);
        else if (!sameDocument(found, change.after)) refusals.push(`${policy} is no longer the document the responder wrote (changed since, e.g. by a later response): refused; compare it with the record and remove it by hand if it must go`);
        else if (change.before === undefined) steps.push({ kind: 'delete-user-policy', userName: own, policyName: change.policyName, what: `delete ${policy} (the responder created it)` });
        else steps.push({ kind: 'put-user-policy', userName: own, policyName: change.policyName, document: change.before, what: `put back ${policy} as it was before the response (an earlier response's)` });
        break;
      }
      case 'managed-policy': {
        const policy = `policy ${change.policyArn} on user ${own}`;
        if (change.policyArn !== options.quarantinePolicyArn) refusals.push(`${policy} is not this stack's quarantine policy: refused`);
        else if (change.attachedBefore) kept.push(`${policy} was attached before the response: it stays`);
        else if (now !== true) kept.push(`${policy} is detached already`);
        else steps.push({ kind: 'detach-user-policy', userName: own, policyArn: change.policyArn, what: `detach ${policy}${change.attachedBefore === undefined ? ' (the record does not say whether it was attached before)' : ''}` });
        break;
      }
      case 'root-access-key-deleted':
        // Irreversible (lambdas/contain/root-key.ts): nothing can bring the key back.
        refusals.push(`root access key ${change.accessKeyId} of account ${change.accountId} was DELETED by the responder (centralized root access): a deleted key cannot be restored; only the root user of ${change.accountId} can create a new one, and AWS advises against root access keys`);
        break;
    }
  }
  return { steps, kept, refusals };
}
