import * as iam from 'aws-cdk-lib/aws-iam';
import { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { USER_REASON } from './containment-grants';
import { grantRevokeRoleSessions } from './footholds-grants';
import { acknowledge, wildcardResourceFinding } from './nag';
import { NotificationTopic } from './notification-topic';
import { userArn } from './protected-users';
import { RoleGrantee } from './role-grantee';

export interface DispatcherGrantProps {
  /** The response workflow, started once per exposed key. */
  readonly stateMachine: IStateMachine;
  /**
   * The notification topic: the dispatcher tells people what it will not respond to itself (its
   * notices reach Slack through the topic's filtered subscription: no Lambda invoke).
   */
  readonly notifications: NotificationTopic;
  /**
   * Set when the stack hears GuardDuty (context guardDutyMinSeverity): the dispatcher revokes the
   * sessions of the role whose temporary credentials a finding names, never a service-linked role
   * nor one of these protected roles (`protectedRoles` entries: names, `/path/*` prefixes).
   * @default undefined: no role permission at all; the dispatcher changes nothing in IAM
   */
  readonly revokeRoleSessions?: { readonly protectedRoles: readonly string[] };
}

/**
 * What the dispatcher may do: find a key's owner (IAM) and whose key it is when IAM does not know
 * it (STS), find the users AWS quarantined and when (IAM, CloudTrail), start the workflow, and
 * tell people (the topic). It changes nothing in IAM, except, with `revokeRoleSessions`, the
 * revoke-sessions deny on the role a GuardDuty finding about temporary credentials names.
 */
export function grantDispatch(dispatcher: RoleGrantee, props: DispatcherGrantProps): void {
  grantDispatchReads(dispatcher);
  props.stateMachine.grantStartExecution(dispatcher);
  props.notifications.grantPublish(dispatcher);
  if (props.revokeRoleSessions) {
    grantRevokeRoleSessions(
      dispatcher,
      props.revokeRoleSessions.protectedRoles,
      'The role whose temporary credentials (ASIA...) a GuardDuty finding names is known only at run time',
      'the dispatcher only writes the revoke-sessions deny (AWSRevokeOlderSessions)',
    );
  }
}

/**
 * The dispatcher's reads of the account an event is about (IAM, STS, CloudTrail); in
 * organization mode the member role has them too, for the central dispatcher.
 */
export function grantDispatchReads(dispatcher: RoleGrantee): void {
  const users = userArn(dispatcher, '*');
  dispatcher.addToRolePolicy(new iam.PolicyStatement({
    sid: 'FindKeyOwner',
    actions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
    resources: [users],
  }));
  dispatcher.addToRolePolicy(new iam.PolicyStatement({
    sid: 'FindQuarantinedUsersAndKeyAccounts',
    actions: ['iam:GetAccountAuthorizationDetails', 'sts:GetAccessKeyInfo', 'cloudtrail:LookupEvents'],
    resources: ['*'],
  }));
  acknowledge(dispatcher.role, wildcardResourceFinding(dispatcher, users), `${USER_REASON} The dispatcher only reads who owns a key and a user's keys.`);
  acknowledge(
    dispatcher.role,
    wildcardResourceFinding(dispatcher, '*'),
    'iam:GetAccountAuthorizationDetails, sts:GetAccessKeyInfo and cloudtrail:LookupEvents support no resource-level permission (their resource must be "*"); all three only read: the users AWS quarantined, the account a key id belongs to, and when a quarantine policy was attached.',
  );
}
