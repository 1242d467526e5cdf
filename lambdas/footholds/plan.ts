import { Incident, isRootUserName } from '../shared/incident';
import {
  QUARANTINE_INLINE_POLICY_NAME,
  quarantinePolicyDocument,
  REVOKE_SESSIONS_POLICY_NAME,
  revocationTime,
  revokeOlderSessionsPolicy,
} from '../shared/policies';
import { cli, undoReported } from './commands';
import { describeFoothold, valuesLine } from './describe';
import { PROTECTED_TAG_KEY } from '../shared/protection';
import { Foothold, FootholdAction, ROLE_REVOKE_SESSIONS_POLICY_NAME, SERVICE_LINKED_ROLE_PATH } from './contract';
import { believed, FootholdConfig, PlannedAction, Principal, ProtectionCheck, Target } from './planned';

export type { FootholdConfig, PlannedAction, Principal, ProtectionCheck, Target };

/** The order actions run in: credentials first (each is a way in by itself), then sessions, then the rest. */
const ORDER: readonly FootholdAction[] = [
  'deactivate-key', 'deactivate-user-keys', 'deactivate-service-credential', 'revoke-user-sessions', 'revoke-role-sessions',
  'quarantine-user', 'quarantine-role', 'delete-login-profile', 'stop-instance', 'action-required', 'report',
];

/**
 * What to do about each foothold, in {@link ORDER}, and in CloudTrail's order within an action.
 * Pure: the protection check is given the record's view (name, path, tags); the executor checks
 * again with what IAM says before acting.
 */
export function planFootholdContainment(
  footholds: readonly Foothold[],
  incident: Pick<Incident, 'accountId' | 'userName'>,
  config: FootholdConfig,
  protection: ProtectionCheck,
): PlannedAction[] {
  const before = revocationTime(config.revokeBefore);
  const revoke = revokeOlderSessionsPolicy(before);
  const createdUsers = new Set(footholds.flatMap((f) => (f.kind === 'user' ? [f.userName] : [])));
  const createdRoles = new Set(footholds.flatMap((f) => (f.kind === 'created-role' ? [f.roleName] : [])));
  const planned = new Map<string, PlannedAction>();
  const add = (a: Omit<PlannedAction, 'id'> & { id?: string }) => {
    const id = a.id ?? `${a.action} ${targetName(a.target)}`;
    if (!planned.has(id)) planned.set(id, { ...a, id });
  };
  const user = (name: string, path?: string, tags?: Record<string, string>): Principal => ({ kind: 'user', name, ...(path && { path }), ...(tags && { tags }) });
  const taggedByKey = new Set(
    footholds.flatMap((f) =>
      f.kind === 'permission-change' && /^Tag(User|Role)$/.test(f.proof.eventName) && f.values.tags?.toLowerCase().includes(`"${PROTECTED_TAG_KEY}"`) ? [`${f.targetType} ${f.target}`] : [],
    ),
  );
  const guarded = (principal: Principal): Pick<PlannedAction, 'principal' | 'protection' | 'skip'> => {
    if ((principal.kind === 'user' ? createdUsers : createdRoles).has(principal.name)) return { principal, protection: 'ignored' };
    const mode = taggedByKey.has(`${principal.kind} ${principal.name}`) ? ('tag-ignored' as const) : undefined;
    const reason = protection(believed(principal, mode));
    const skip = reason && `${principal.kind} ${principal.name} is protected (${reason}): nothing was changed, a human must decide`;
    return { principal, ...(mode && { protection: mode }), ...(skip && { skip }) };
  };

  for (const f of footholds) {
    const line = describeFoothold(f);
    switch (f.kind) {
      case 'access-key':
        if (isRootUserName(f.userName)) {
          add({
            id: `action-required ${f.proof.eventId}`, action: 'action-required', foothold: line, target: { type: 'none' }, open: true,
            description: `ACTION REQUIRED: a root access key${f.accessKeyId ? ` (${f.accessKeyId})` : ''} was created: only the root user can deactivate it (sign in as root, Security credentials)`,
          });
        } else if (f.accessKeyId) {
          add({
            action: 'deactivate-key', foothold: line, target: { type: 'access-key', userName: f.userName, accessKeyId: f.accessKeyId },
            description: `set access key ${f.accessKeyId} of user ${f.userName} Inactive`, ...guarded(user(f.userName)),
            command: cli.deactivateKey(f.userName, f.accessKeyId), undo: cli.activateKey(f.userName, f.accessKeyId),
          });
        } else {
          add({
            id: `action-required ${f.proof.eventId}`, action: 'action-required', foothold: line, target: { type: 'none' }, open: true,
            description: `CloudTrail does not say which key was created for user ${f.userName}: list its keys and set the one created at ${f.proof.eventTime} Inactive`,
            command: cli.listKeys(f.userName),
          });
        }
        break;
      case 'user': {
        const principal = guarded(user(f.userName, f.path, f.tags));
        const target = { type: 'user', userName: f.userName } as const;
        add({
          action: 'revoke-user-sessions', foothold: line, target, ...principal,
          description: `deny every session of user ${f.userName} issued before ${before} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`,
          document: { name: REVOKE_SESSIONS_POLICY_NAME, json: JSON.stringify(revoke), revokedBefore: before },
          command: cli.putUserPolicy(f.userName, REVOKE_SESSIONS_POLICY_NAME, revoke), undo: cli.deleteUserPolicy(f.userName, REVOKE_SESSIONS_POLICY_NAME),
        });
        add({
          action: 'quarantine-user', foothold: line, target, ...principal,
          description: `attach quarantine policy ${config.quarantinePolicyArn} to user ${f.userName}`,
          command: cli.attachUserPolicy(f.userName, config.quarantinePolicyArn), undo: cli.detachUserPolicy(f.userName, config.quarantinePolicyArn),
        });
        add({
          action: 'deactivate-user-keys', foothold: line, target, ...principal,
          description: `set every active access key and service-specific credential of user ${f.userName} Inactive`,
          command: `${cli.listKeys(f.userName)}, then for each Active key: ${cli.deactivateKey(f.userName, '<key id>')}; ${cli.listServiceCredentials(f.userName)}, then for each Active one: ${cli.deactivateServiceCredential(f.userName, '<credential id>')}`,
          undo: `${cli.activateKey(f.userName, '<key id>')}; ${cli.activateServiceCredential(f.userName, '<credential id>')}`,
        });
        add(deleteLoginProfile(f.userName, line, principal));
        break;
      }
      case 'login-profile':
        add(deleteLoginProfile(f.userName, line, guarded(user(f.userName))));
        break;
      case 'assumed-role':
      case 'created-role': {
        const path = f.path;
        const role: Principal = { kind: 'role', name: f.roleName, ...(path && { path }), ...(f.kind === 'created-role' && f.tags && { tags: f.tags }) };
        const serviceLinked = path?.startsWith(SERVICE_LINKED_ROLE_PATH);
        const principal: Pick<PlannedAction, 'principal' | 'protection' | 'skip'> = serviceLinked
          ? { principal: role, skip: `role ${f.roleName} is a service-linked role: its sessions cannot be revoked and the responder never changes one` }
          : guarded(role);
        const target = { type: 'role', roleName: f.roleName } as const;
        add({
          action: 'revoke-role-sessions', foothold: line, target, ...principal,
          description: `deny every session of role ${f.roleName} issued before ${before} (inline policy ${ROLE_REVOKE_SESSIONS_POLICY_NAME}, the console's "Revoke active sessions")`,
          document: { name: ROLE_REVOKE_SESSIONS_POLICY_NAME, json: JSON.stringify(revoke), revokedBefore: before },
          // AWS refuses to revoke a service-linked role's sessions: no command would work.
          ...(!serviceLinked && { command: cli.putRolePolicy(f.roleName, ROLE_REVOKE_SESSIONS_POLICY_NAME, revoke) }),
          undo: cli.deleteRolePolicy(f.roleName, ROLE_REVOKE_SESSIONS_POLICY_NAME),
        });
        if (f.kind === 'created-role') {
          // The stack's own quarantine document: a role's inline policies have 10,240 characters, it takes under half.
          const quarantine = quarantinePolicyDocument();
          add({
            action: 'quarantine-role', foothold: line, target, ...principal,
            description: `put the quarantine deny on role ${f.roleName} (inline policy ${QUARANTINE_INLINE_POLICY_NAME})`,
            document: { name: QUARANTINE_INLINE_POLICY_NAME, json: JSON.stringify(quarantine) },
            command: cli.putRoleQuarantine(f.roleName, QUARANTINE_INLINE_POLICY_NAME, config.quarantinePolicyArn),
            undo: cli.deleteRolePolicy(f.roleName, QUARANTINE_INLINE_POLICY_NAME),
          });
          const outside = f.trustedPrincipals?.filter((p) => !isOfAccount(p, incident.accountId));
          if (!outside || outside.length > 0) {
            const who = outside ? `trusts ${outside.join(', ')}` : 'has a trust policy the record does not show';
            add({
              id: `action-required trust ${f.roleName}`, action: 'action-required', foothold: line, target, open: true,
              description: `role ${f.roleName} ${who}: new sessions are quarantined, not denied; delete the role once its evidence is kept`,
              command: cli.deleteRole(f.roleName),
            });
          }
        }
        break;
      }
      case 'external-role':
        add({
          id: `action-required ${f.roleArn}`, action: 'action-required', foothold: line, target: { type: 'none' }, open: true,
          description: `ACTION REQUIRED: the leaked key assumed role ${f.roleArn} of account ${f.accountId}; the owner of account ${f.accountId} must revoke its sessions issued before ${before}`,
          command: `in account ${f.accountId}: ${cli.putRolePolicy(f.roleArn.split('/').pop() ?? f.roleArn, ROLE_REVOKE_SESSIONS_POLICY_NAME, revoke)}`,
        });
        break;
      case 'service-credential':
        if (f.credentialId) {
          add({
            action: 'deactivate-service-credential', foothold: line, target: { type: 'service-credential', userName: f.userName, credentialId: f.credentialId },
            description: `set ${f.serviceName} credential ${f.credentialId} of user ${f.userName} Inactive`, ...guarded(user(f.userName)),
            command: cli.deactivateServiceCredential(f.userName, f.credentialId), undo: cli.activateServiceCredential(f.userName, f.credentialId),
          });
        } else {
          add({
            id: `action-required ${f.proof.eventId}`, action: 'action-required', foothold: line, target: { type: 'none' }, open: true,
            description: `CloudTrail does not say which ${f.serviceName} credential was created for user ${f.userName}: set the one created at ${f.proof.eventTime} Inactive`,
            command: cli.listServiceCredentials(f.userName),
          });
        }
        break;
      case 'instance': {
        const target = { type: 'instance', region: f.region, instanceId: f.instanceId } as const;
        const facts = `${f.instanceType ?? 'type unknown'}, ${f.region}, launched ${f.launchTime ?? f.proof.eventTime}, from ${f.proof.sourceIp ?? 'unknown IP'}`;
        const unpreserved = config.preserved !== undefined && !config.preserved.has(`${f.region} ${f.instanceId}`);
        if (config.stopLaunchedInstances && unpreserved) {
          // Evidence first: an instance is never stopped before its volumes are snapshotted.
          add({
            id: `action-required ${f.region} ${f.instanceId}`, action: 'action-required', foothold: line, target, open: true,
            description: `ACTION REQUIRED: instance ${f.instanceId} (${facts}) is not stopped: its volumes are not snapshotted; snapshot it, then stop it if it is not yours`,
            command: `${cli.snapshotInstance(f.region, f.instanceId)} && ${cli.stopInstance(f.region, f.instanceId)}`,
          });
        } else if (config.stopLaunchedInstances) {
          add({
            action: 'stop-instance', foothold: line, target, description: `stop instance ${f.instanceId} (${facts})`,
            command: cli.stopInstance(f.region, f.instanceId), undo: cli.startInstance(f.region, f.instanceId),
          });
        } else {
          add({
            id: `action-required ${f.region} ${f.instanceId}`, action: 'action-required', foothold: line, target, open: true,
            description: `ACTION REQUIRED: instance ${f.instanceId} (${facts}) is not stopped (stopLaunchedInstances is off): stop it if it is not yours`,
            command: cli.stopInstance(f.region, f.instanceId),
          });
        }
        break;
      }
      case 'permission-change': {
        // A change to a user or role the key created is covered by that principal's containment.
        const covered = (f.targetType === 'user' && createdUsers.has(f.target)) || (f.targetType === 'role' && createdRoles.has(f.target));
        add({
          id: `report ${f.proof.eventId} ${f.proof.eventName} ${f.target}`, action: 'report', foothold: line, target: { type: 'none' }, open: !covered,
          description: covered
            ? `${f.proof.eventName} on ${f.targetType} ${f.target}, which the key created and which is contained: not reverted`
            : `${f.proof.eventName} on ${f.targetType} ${f.target} (${valuesLine(f.values)}): not reverted automatically, check it and undo it if it is not yours`,
          undo: undoReported(f),
        });
        break;
      }
      case 'resource':
        add({
          id: `report ${f.proof.eventId} ${f.type} ${f.name}`, action: 'report', foothold: line, target: { type: 'none' }, open: true,
          description: `${f.type} ${f.name} in ${f.region}: not changed automatically, check it and undo it if it is not yours`,
          undo: undoReported(f),
        });
        break;
    }
  }
  const rank = (a: PlannedAction) => ORDER.indexOf(a.action);
  return [...planned.values()].sort((a, b) => rank(a) - rank(b));
}

function deleteLoginProfile(userName: string, line: string, principal: Pick<PlannedAction, 'principal' | 'protection' | 'skip'>): Omit<PlannedAction, 'id'> {
  return {
    action: 'delete-login-profile', foothold: line, target: { type: 'user', userName }, ...principal,
    description: `delete the console password of user ${userName} (an attacker's password is never legitimate)`,
    command: cli.deleteLoginProfile(userName),
    undo: `give the legitimate owner a new password (never the old one): ${cli.createLoginProfile(userName)}`,
  };
}

function targetName(t: Target): string {
  switch (t.type) {
    case 'access-key':
      return `${t.userName} ${t.accessKeyId}`;
    case 'user':
      return t.userName;
    case 'role':
      return t.roleName;
    case 'service-credential':
      return `${t.userName} ${t.credentialId}`;
    case 'instance':
      return `${t.region} ${t.instanceId}`;
    case 'none':
      return '-';
  }
}

/** An ARN or account id of this account (the account's root, its roles and users). */
function isOfAccount(principal: string, accountId: string): boolean {
  if (principal === accountId) return true;
  const arn = principal.split(':');
  return arn[0] === 'arn' && arn[4] === accountId;
}
