import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge, wildcardResourceFinding } from './nag';
import { protectedUsersDeny, userArn } from './protected-users';
import { QuarantinePolicy } from './quarantine-policy';
import { RoleGrantee } from './role-grantee';

/** The IAM actions by which the containment Lambda changes a user (and never a protected one). */
export const CONTAIN_USER_ACTIONS = ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy'] as const;

/** Why a role acts on `user/*`. */
export const USER_REASON = 'The exposed key belongs to a user known only at run time (from the AWS event): the responder must act on any IAM user of the account.';

export interface ContainmentGrantProps {
  /** The only managed policy containment may attach. */
  readonly quarantinePolicy: QuarantinePolicy;
  /** `protectedUsers` entries (names, `/path/*` prefixes): explicitly denied every change. */
  readonly protectedUsers: readonly string[];
}

/**
 * What the containment Lambda may do, and nothing else: deactivate any access key of a user, put
 * an inline policy on it (the revoke-sessions deny), attach the stack's quarantine policy, and
 * read the user (path and tags, to re-check protection), its inline policies (the revocation
 * time already in place), its keys and attached policies (the state before, kept for restore). Every change is explicitly denied on the protected users.
 */
export function grantContainment(contain: RoleGrantee, props: ContainmentGrantProps): void {
  const users = userArn(contain, '*');
  contain.addToRolePolicy(new iam.PolicyStatement({
    sid: 'DeactivateKeyRevokeSessions',
    actions: ['iam:UpdateAccessKey', 'iam:PutUserPolicy'],
    resources: [users],
  }));
  contain.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ReadUserAndRevocation',
    // GetUser: protection; GetUserPolicy: the revocation in place; ListAccessKeys and
    // ListAttachedUserPolicies: what was there before, kept in the record for restore.
    actions: ['iam:GetUser', 'iam:GetUserPolicy', 'iam:ListAccessKeys', 'iam:ListAttachedUserPolicies'],
    resources: [users],
  }));
  props.quarantinePolicy.grantAttach(contain);
  for (const deny of protectedUsersDeny(contain, props.protectedUsers, CONTAIN_USER_ACTIONS)) contain.addToRolePolicy(deny);
  acknowledge(
    contain.role,
    wildcardResourceFinding(contain, users),
    'The exposed key\'s user is known only at run time (from the AWS event), so these statements are on user/*. What they allow, plainly: on any user of the account that is not protected, set any access key Inactive or Active (UpdateAccessKey) and put any inline policy document (PutUserPolicy: IAM has no condition on a policy\'s content; the Lambda only writes the revoke-sessions deny); attach the stack\'s quarantine policy and no other policy (iam:PolicyARN condition); read any user (path, tags), the status of its access keys, its attached policies and its inline policies. It cannot create a managed policy nor delete anything. Protected users (by name, path prefix or the exposed-key-responder:protected tag) are explicitly denied every change; that Deny compares ARNs case-sensitively, and the Lambda\'s own case-insensitive check covers a name written in another case.',
  );
}

/** What the verification Lambda may do: read a user (its path and tags), its keys and policies back. Nothing else. */
export function grantVerification(verify: RoleGrantee): void {
  const users = userArn(verify, '*');
  verify.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ReadContainment',
    actions: ['iam:GetUser', 'iam:ListAccessKeys', 'iam:GetUserPolicy', 'iam:ListAttachedUserPolicies'],
    resources: [users],
  }));
  acknowledge(verify.role, wildcardResourceFinding(verify, users), `${USER_REASON} Verification only reads the user, its keys and its policies.`);
}
