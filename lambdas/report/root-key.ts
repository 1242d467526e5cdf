// An exposed root access key in the record: escalated to people (as ever), or, in organization
// mode with deleteMemberRootKeys, DELETED by contain through centralized root access
// (lambdas/contain/root-key.ts). What the record says of it: the headline, what is still open,
// what cannot be undone.
import type { WorkflowState } from '../shared/state';
import type { UserChange } from '../shared/user-changes';
import type { ReportFailure } from './decide';
import type { ContainmentEntry } from './record';
import type { OpenItem } from './open';

export type RootKeyDeletion = Extract<UserChange, { kind: 'root-access-key-deleted' }>;

/** The deletion of the exposed root key, when contain's DeactivateKey did it. */
export function rootKeyDeletion(containment: readonly ContainmentEntry[]): RootKeyDeletion | undefined {
  const done = containment.filter((c) => c.action === 'deactivate-key' && c.status === 'done');
  return done.flatMap((c) => c.changes ?? []).find((c): c is RootKeyDeletion => c.kind === 'root-access-key-deleted');
}

/** A dry run that would have deleted the root key (contain says "would DELETE"). */
export function rootKeyDeletionPlanned(containment: readonly ContainmentEntry[]): boolean {
  return containment.some((c) => c.action === 'deactivate-key' && c.status === 'dry-run');
}

/**
 * The investigation's note that a root user's reach cannot be listed (lambdas/investigate/reach.ts
 * reports it among its failures, first look and second): a fact of the root user, not a gap.
 */
export function isRootReachNote(state: WorkflowState, f: ReportFailure): boolean {
  return state.incident.principalType === 'root' && f.what === 'reach' && (f.source === 'investigation' || f.source === 'second-look');
}

/** The headline's subject: the root key DELETED, said so. */
export function deletedRootKeyHeadline(d: RootKeyDeletion): string {
  return `Exposed ROOT access key ${d.accessKeyId} DELETED (irreversible)`;
}

/**
 * What is still open for a root key: after a deletion, what the deletion cannot reach; otherwise
 * what the root user must do by hand, with the commands when the deletion was refused.
 */
export function rootOpenItems(key: string, deletion: RootKeyDeletion | undefined, refusedDeletion: string | undefined): OpenItem[] {
  if (deletion) {
    return [
      {
        what:
          `Root access key ${key} of account ${deletion.accountId} was DELETED by the responder through centralized root access (sts:AssumeRoot): it cannot be restored. ` +
          'Sessions the key already obtained (GetSessionToken: at most 1 hour for the root user) stay valid until they expire: check what the key did (below) and the root user\'s other credentials (password, MFA devices, signing certificates).',
      },
      { what: 'Change the root password and check its MFA device.' },
    ];
  }
  return [
    {
      what: `Root access key ${key} is exposed: sign in as the root user NOW (Security credentials page), deactivate it, then delete it. Root keys cannot be changed from inside the account: this responder did not touch it.`,
    },
    ...(refusedDeletion ? [{ what: `The responder could not delete it through centralized root access (deleteMemberRootKeys): ${refusedDeletion}` }] : []),
    { what: 'Change the root password and check its MFA device.' },
  ];
}

/** The undo step of a deleted root key: there is none, and the record says so. */
export function deletedRootKeyUndo(d: RootKeyDeletion): OpenItem {
  return {
    what: `Root access key ${d.accessKeyId} of account ${d.accountId} was DELETED: this cannot be undone (a deleted key cannot be restored; only the root user can create a new key, and AWS advises against root access keys).`,
  };
}

/** Why verification did not run, as every message says it: a deleted root key has nothing left to read back. */
export function verificationSkippedReason(containment: readonly ContainmentEntry[]): string {
  return rootKeyDeletion(containment)
    ? 'not applicable (the root key was DELETED: IAM accepted DeleteAccessKey, nothing is left to read back)'
    : 'not applicable (nothing was to be changed)';
}
