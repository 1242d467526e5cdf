import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  FOOTHOLD_READ_ACTIONS,
  FOOTHOLD_ROLE_WRITE_ACTIONS,
  FOOTHOLD_STOP_ACTIONS,
  FOOTHOLD_USER_WRITE_ACTIONS,
  SERVICE_LINKED_ROLE_PATH,
} from '../lambdas/footholds/contract';
import { acknowledge, wildcardResourceFinding } from './nag';
import { protectedRolesDeny, protectedUsersDeny, roleArn, userArn } from './protected-users';
import { QuarantinePolicy } from './quarantine-policy';
import { RoleGrantee } from './role-grantee';

export interface FootholdGrantProps {
  /** The only managed policy the footholds Lambda may attach (to the users the key created). */
  readonly quarantinePolicy: QuarantinePolicy;
  /** `protectedUsers` entries (names, `/path/*` prefixes): explicitly denied every user write. */
  readonly protectedUsers: readonly string[];
  /** `protectedRoles` entries (names, `/path/*` prefixes): explicitly denied every role write. */
  readonly protectedRoles: readonly string[];
  /**
   * Whether the Lambda may stop the instances the key launched (context `stopLaunchedInstances`).
   * @default false: no ec2:StopInstances at all
   */
  readonly stopLaunchedInstances?: boolean;
}

/** The role-level reads (the rest of FOOTHOLD_READ_ACTIONS are on users). */
const ROLE_READS = FOOTHOLD_READ_ACTIONS.filter((a) => /^iam:GetRole/.test(a));
const USER_READS = FOOTHOLD_READ_ACTIONS.filter((a) => !ROLE_READS.includes(a));
/** User writes besides AttachUserPolicy, which the quarantine policy grants on its own ARN only. */
const USER_WRITES = FOOTHOLD_USER_WRITE_ACTIONS.filter((a) => a !== 'iam:AttachUserPolicy');

/**
 * Revoking a role's sessions, for any Lambda that does it (the footholds step; the dispatcher, for
 * GuardDuty's findings about temporary credentials): read a role and its inline policies, put an
 * inline policy on it, except on service-linked roles (`role/aws-service-role/*`) and protected
 * roles, both explicitly denied. `known` says why the roles are only known at run time, `writes`
 * which documents the Lambda writes (the cdk-nag acknowledgement says both).
 */
export function grantRevokeRoleSessions(fn: RoleGrantee, protectedRoles: readonly string[], known: string, writes: string): void {
  const stack = Stack.of(fn);
  const roles = roleArn(stack, '*');
  fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadFootholdRoles', actions: [...ROLE_READS], resources: [roles] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'RevokeFootholdRoleSessions', actions: [...FOOTHOLD_ROLE_WRITE_ACTIONS], resources: [roles] }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    sid: 'NeverTouchServiceLinkedRoles',
    effect: iam.Effect.DENY,
    actions: [...FOOTHOLD_ROLE_WRITE_ACTIONS],
    resources: [roleArn(stack, `${SERVICE_LINKED_ROLE_PATH.slice(1)}*`)],
  }));
  for (const deny of protectedRolesDeny(fn, protectedRoles, FOOTHOLD_ROLE_WRITE_ACTIONS)) fn.addToRolePolicy(deny);
  acknowledge(
    fn.role,
    wildcardResourceFinding(stack, roles),
    `${known}, so these statements are on role/*. What they allow, plainly: read any role and its inline policies (GetRole, GetRolePolicy), and put any inline policy document on any role (PutRolePolicy: IAM has no condition on a policy's content; ${writes}), except on service-linked roles (role/aws-service-role/*) and protected roles (name, path prefix, tag), which are explicitly denied. It cannot change a trust policy, attach a managed policy, nor delete anything.`,
  );
}

/**
 * What the footholds Lambda may do, and nothing else: on users, set access keys and
 * service-specific credentials Inactive, put the revoke-sessions deny, delete a console password,
 * attach the stack's quarantine policy (and no other); on roles, put an inline policy (the
 * revoke-sessions deny, the quarantine deny on a role the key created), never on a service-linked
 * role (`role/aws-service-role/*`, explicitly denied); read users and roles (path, tags, policies
 * in place). ec2:StopInstances only when `stopLaunchedInstances` is true. Every write is explicitly
 * denied on protected users and roles.
 */
export function grantFootholds(footholds: RoleGrantee, props: FootholdGrantProps): void {
  const stack = Stack.of(footholds);
  const users = userArn(stack, '*');
  footholds.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadFootholdUsers', actions: [...USER_READS], resources: [users] }));
  footholds.addToRolePolicy(new iam.PolicyStatement({ sid: 'ContainFootholdUsers', actions: [...USER_WRITES], resources: [users] }));
  props.quarantinePolicy.grantAttach(footholds);
  for (const deny of protectedUsersDeny(footholds, props.protectedUsers, FOOTHOLD_USER_WRITE_ACTIONS)) footholds.addToRolePolicy(deny);
  grantRevokeRoleSessions(footholds, props.protectedRoles, 'The roles a leaked key assumed or created are known only at run time (from CloudTrail)', 'the Lambda only writes the revoke-sessions deny and the quarantine deny');

  acknowledge(
    footholds.role,
    wildcardResourceFinding(stack, users),
    'The users a leaked key created or gave credentials to are known only at run time (from CloudTrail), so these statements are on user/*. What they allow, plainly: on any user of the account that is not protected, set any access key or service-specific credential Inactive or Active (UpdateAccessKey, UpdateServiceSpecificCredential), put any inline policy document (PutUserPolicy: IAM has no condition on a policy\'s content; the Lambda only writes the revoke-sessions deny and the compact quarantine deny), delete the console password (DeleteLoginProfile), attach the stack\'s quarantine policy and no other (iam:PolicyARN condition); read any user, its keys, credentials and policies. It cannot create or delete a user, a key or a policy. Protected users (name, path prefix, tag) are explicitly denied every change.',
  );
  if (props.stopLaunchedInstances) {
    const instances = stack.formatArn({ service: 'ec2', region: '*', resource: 'instance', resourceName: '*' });
    footholds.addToRolePolicy(new iam.PolicyStatement({ sid: 'StopLaunchedInstances', actions: [...FOOTHOLD_STOP_ACTIONS], resources: [instances] }));
    acknowledge(
      footholds.role,
      wildcardResourceFinding(stack, instances),
      'Granted only because stopLaunchedInstances is true: the instances the leaked key launched or started are known only at run time and may be in any region, so ec2:StopInstances is on instance/* of the account. It stops (never terminates) an instance; starting it again undoes it.',
    );
  }
}
